"""English and Japanese drug-sale lexicon: slang, dealer emoji, sale-intent cues.

No public drug-slang lexicon can be installed here (see MODELS.md), so this one is
written by hand from the typologies in the issue and public awareness material. Each
entry says what it points to and how much it can be trusted alone:

* ``strong`` drug terms mean a drug in almost any context (``meth``, ``覚醒剤``);
* ``ambiguous`` ones (``ice``, ``snow``, ``野菜``, ``❄️``) only count when the post holds
  another cue and no benign context word sits next to them (``ice cream``, ``野菜を買った``);
* intent cues are ``strong`` (contact handles, "DM", gram quantities, ``手押し``) or ``weak``
  (a price, "delivery", "available"), which alone never make a sale offer.

Terms are stored as written; :func:`analytics.drug.normalize.normalize_term` folds them
the same way as post text (NFKC, lower case, katakana to hiragana).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import StrEnum

from analytics.drug import slang
from analytics.drug.normalize import normalize_term

logger = logging.getLogger(__name__)


class Kind(StrEnum):
    """What a lexicon hit is evidence of."""

    DRUG = "drug"
    INTENT = "intent"


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon term."""

    term: str
    kind: Kind
    category: str
    strong: bool
    lang: str  # "en", "ja" or "any" (emoji, symbols)
    fuzzy: bool = True  # misspellings of it count (the reference list's terms: exact only)

    @property
    def key(self) -> str:
        """The normalised form that post text is matched against."""
        return normalize_term(self.term)


def _entries(kind: Kind, category: str, strong: bool, lang: str, terms: str) -> list[Entry]:
    return [Entry(t.strip(), kind, category, strong, lang) for t in terms.split("|") if t.strip()]


D, N = Kind.DRUG, Kind.INTENT

LEXICON: tuple[Entry, ...] = tuple(
    # --- cannabis
    _entries(D, "cannabis", True, "en", "marijuana|marihuana|cannabis|kush|ganja|thc|og kush|zaza|"
             "prerolls|pre-rolls|pre rolls|reefer|mary jane|sativa|indica|hybrid strain|wax pen|thc carts|"
             "dab pen|shatter|moonrocks|weed|edibles|hashish")
    + _entries(D, "cannabis", False, "en", "bud|buds|gas|420|grass|herb|trees|loud|flower|pot|green|"
               "carts|dabs|hash|joint|blunt|gelato|exotic|exotics|za|tree|bush|tinnie|tinnies|tinny")
    + _entries(D, "cannabis", True, "ja", "大麻|マリファナ|ガンジャ|ハッパ|乾燥大麻|大麻リキッド|"
               "THCリキッド|ジョイント|バッズ|手押し|ブリブリ|"
               "手おし|て押し|ておし|てをし|teoshi")
    + _entries(D, "cannabis", False, "ja", "大ま|野菜|やさい|ヤサイ|草|チョコ|リキッド|葉っぱ|ハーブ")
    + _entries(D, "cannabis", False, "any", "🍁|🍃|🌿|🥦|💨|🌲|⛽|🥬")
    # --- methamphetamine
    + _entries(D, "meth", True, "en", "meth|methamphetamine|crystal meth|crank|yaba|shabu")
    + _entries(D, "meth", False, "en", "ice|crystal|crystals|shards|glass|speed|tweak|tina")
    + _entries(D, "meth", True, "ja", "覚醒剤|覚せい剤|シャブ|ガンコロ|冷たいもの")
    + _entries(D, "meth", False, "ja", "アイス|クリスタル|スピード|冷たいの")
    + _entries(D, "meth", False, "any", "💎|🧊")
    # --- cocaine
    + _entries(D, "cocaine", True, "en", "cocaine|yayo|yeyo|nose candy|8ball|eightball|eight ball|8-ball|"
               "booger sugar|fishscale|fish scale|coca")
    + _entries(D, "cocaine", False, "en", "snow|coke|blow|white|charlie|powder|rock|rocks|crack|line|lines|"
               "yay")
    + _entries(D, "cocaine", True, "ja", "コカイン")
    + _entries(D, "cocaine", False, "ja", "スノー|雪|白いの|粉|コーク")
    + _entries(D, "cocaine", False, "any", "❄|⛄|⛷|🪨")
    # --- heroin and opioids
    + _entries(D, "heroin", True, "en", "heroin|smack|china white|black tar|roxies|roxys|roxy|footballs|"
               "zannies|zanies|xannies|oxycontin|hydros|norcos|subs|suboxone")
    + _entries(D, "heroin", False, "en", "dope|boy|tar|h|blues|dillies")
    + _entries(D, "heroin", True, "ja", "ヘロイン")
    + _entries(D, "heroin", False, "any", "🐴|🐉")
    # --- pills and others
    + _entries(D, "pills", True, "en", "xanax|xans|percs|percocet|perc|oxy|oxys|oxycodone|adderall|"
               "addy|molly|mdma|ecstasy|lsd|shrooms|codeine|fent|fentanyl|m30|m30s|lean|ketamine|ket|"
               "valium|vicodin|dilaudid|tramadol|promethazine|2cb|2c-b|dmt|special k|runtz|zkittlez|"
               "moon rocks|"
               "moonrock|thc gummies|thc vapes|psilocybin|mushroom chocolate|shroom bars|ayahuasca|pcp|"
               "ghb|mephedrone|meow meow|benzos|klonopin|ambien|ritalin")
    + _entries(D, "pills", False, "en", "bars|pills|tabs|acid|beans|blues|rolls|x|k|candy|mushrooms|"
               "ex|gummies|vapes|girl|"
               "tina|blotters|chems|chem")
    + [Entry(t, D, "ghb", True, "en", fuzzy=False) for t in ("liquid g", "liquid gina", "gina juice")]
    + _entries(D, "pills", True, "ja", "エクスタシー|MDMA|LSD|ケタミン|コデイン|睡眠薬転売|向精神薬|ハシシ|"
               "ブツ|ケミカル|"
               "危険ドラッグ|脱法ハーブ|大麻ワックス|大麻グミ|ジョイント")
    + _entries(D, "pills", False, "ja", "バツ|タマ|錠剤|ラムネ|キノコ|エス|パケ|紙|クサ|ハーブ")
    + _entries(D, "pills", False, "any", "💊|🍄|🍬|🍭")
    # --- sale intent: strong
    + _entries(N, "contact", True, "en", "dm|dm me|dms open|pm me|inbox me|hmu|hit me up|hit my line|"
               "telegram|tg|t.me|wickr|wickr me|signal|threema|session app|kik|whatsapp|"
               "snap me|plug|the plug|link in bio|taking orders|orders open|serious buyers|"
               "stealth shipping|discreet shipping|re-up|reup|tap in|slide in my dms|no lowballs|"
             "message me|msg me|contact me|add me|inbox|dm for|line me|holla|hit me|"
             "session id|potato app|wire app|element app|ping me|shoot me a message|shoot me a dm|shoot me|"
             "sig me|tele|tele only|reach out|text only|email me|order through|check my story|"
             "menu on my page|hit the link|inbox for|cop from me|wire me|serious inquiries|hmu fast|"
             "dm 4 info|dm for details|dm for info|no scams|text 4|hit me asap|tap in|"
             "message us|msg us|inbox us|hit us up|pm us|"
             # KakaoTalk, Korea's messenger, named as the way to order
             "kakaotalk|kakao talk|kakao id|kakao me|kakao only|add my kakao|hit my kakao")
    + _entries(N, "contact", True, "ja", "手押し|テレグラム|テレグラ|シグナル|ワイヤー|ウィッカー|カカオ|"
               "DMで|DMください|DMまで|DM下さい|DMへ|プッシャー|売人|"
               "連絡はこちら|ご連絡|ラインで|LINEで|ライン交換|LINE交換|ポテト|セッション|リプ|DM|"
               "プロフ|カカオで|シグナルまで|テレで|秘密厳守|連絡待って|まずはDM|即対応|夜間対応|"
               "少量から|パケ売り|手渡しのみ|ディーエム|"
               "個チャ|個チャット|個別チャット|個人チャット|手おし|て押し|ておし|てをし|teoshi")
    + _entries(N, "contact", True, "any", "🔌")
    # --- sale intent: weak (never a sale offer alone)
    + _entries(N, "offer", False, "en", "4 sale|4sale|sale|delivery|"
               "deliver|delivering|drop off|dropoff|meet up|meetup|"
               "hand off|handoff|shipping|ship|for sale|selling|sell|available|price|prices|pricing|"
               "cheap|deal|deals|special|promo|quality|top shelf|fire|pack|packs|gram|grams|oz|zip|zips|"
               "qp|half o|eighth|8th|bundle|text me|snapchat|menu|discreet|in stock|restocked|restock|"
               "cashapp|cash app|venmo|zelle|btc|avail|bundles|halves|pressed|caps|for finals|"
               "serious buyers only|pickup only|cash only|text for|on hand|before they're gone|fair prices|"
               "txt me|bell me|ring me|pick up in|pickup in|collect in|"
               # romanised Japanese sale words ("arimasu", "tedashi": hand delivery)
               "arimasu|urimasu|tedashi|yuusou|yusou|hassou|sokujitsu")
    + _entries(N, "offer", False, "ja", "配達|発送|郵送|販売|売ります|譲ります|値段|価格|格安|激安|"
               "高品質|グラム|都内|全国|エリア|お試し|セール|割引|"
               "手渡し|即日|即配|在庫あり|在庫|入荷|全国発送|郵送可|対面|対面可|相談可|気軽に|連絡ください|"
               "あります|有ります|連絡|取引|円")
    + _entries(N, "offer", False, "any", "💰|💵|💸|🚚|🚗|🔥|📲|📩|📦")
    # --- the broad reference list (analytics.drug.slang): drug classes, regions, trade jargon
    # (exact matches only: "concert" is one letter from "concerta")
    + [Entry(t, D, c, True, "en", fuzzy=False) for c, t in slang.entries_by_class(slang.STRONG_EN)]
    + [Entry(t, D, c, False, "en") for c, t in slang.entries_by_class(slang.AMBIGUOUS_EN)]
    + [Entry(t, D, c, True, "en", fuzzy=False) for c, t in slang.entries_by_class(slang.REGIONAL_STRONG_EN)]
    + [Entry(t, D, c, True, "en", fuzzy=False) for c, t in slang.entries_by_class(slang.ROAD_PAIRS_EN)]
    + [Entry(t, D, c, False, "en") for c, t in slang.entries_by_class(slang.REGIONAL_AMBIGUOUS_EN)]
    + [Entry(t, D, c, False, "en", fuzzy=False) for c, t in slang.entries_by_class(slang.CODED_EN)]
    + [Entry(t, D, c, True, "ja") for c, t in slang.entries_by_class(slang.STRONG_JA)]
    + [Entry(t, D, c, False, "ja") for c, t in slang.entries_by_class(slang.AMBIGUOUS_JA)]
    + _entries(N, "contact", True, "en", slang.TRADE_STRONG_EN)
    + _entries(N, "contact", True, "ja", slang.TRADE_STRONG_JA)
    + _entries(N, "offer", False, "en", slang.TRADE_WEAK_EN)
    + _entries(N, "offer", False, "ja", slang.TRADE_WEAK_JA)
    + _entries(N, "nudge", False, "en", slang.NUDGE_EN)
    + _entries(N, "nudge", False, "ja", slang.NUDGE_JA)
)

# Regular expressions for intent cues that are patterns rather than words.
PRICE_RE = re.compile(r"(?:[$£€¥]\s?\d[\d,]*(?:\.\d+)?k?|\d[\d,]*(?:\.\d+)?\s?"
                      r"(?:usd|dollars|bucks|quid|円|万円|千円|k)(?![a-z])|\d+\s?for\s?[$£€]?\d+)")
QUANTITY_RE = re.compile(r"\d+(?:[.,]\d+)?\s?(?:g|gs|gr|grams?|oz|mg|ml|lbs?|qp|pcs|錠|グラム|ぐらむ|"
                         r"じょう|本|ぽん|ぼん)(?![a-z])|(?<![\d.])0\.\d+(?![\d.%])")
HANDLE_RE = re.compile(r"(?<![\w.])@[a-z0-9_.]{3,}")

# Benign context next to an ambiguous term: the word before or after it, as normalised text.
# A hit inside such a context is not evidence ("ice cream", "snow day", "野菜を買った").
NEGATIVE_AFTER: dict[str, str] = {
    "ice": r"\s?(?:cream|creams|cube|cubes|skat\w*|rink|hockey|coffee|tea|latte|age|bath|pack|breaker|"
           r"maker|storm|cold|water|box|berg|land|pop|lolly|fishing|dance|tray|sculpture|machine|chest)",
    "snow": r"\s?(?:day|days|storm|man|men|fall|board\w*|flake\w*|ball|shoe\w*|plow\w*|plough\w*|tires?|"
            r"tyres?|white|globe|cone|angel|blower|boots?|pea|removal|clearing|shovel\w*|chains|cleanup)",
    "coke": r"\s?(?:zero|can|cans|bottle|float|machine|and\s+(?:fries|pizza|burger)|with)",
    "gas": r"\s?(?:station|stations|bill|bills|price|prices|stove|leak|tank|mileage|pedal|mask|giant|"
           r"light|grill|money|can|pump|cooker|oven|heater|company|meter)",
    "bud": r"\s?(?:light|lite|weiser|dy|dies)",
    "weed": r"\s?(?:the|out|my|our|killer|whack\w*|eater|control|barrier|removal|wacker)",
    "grass": r"\s?(?:cut\w*|is|seed|fed|field|court|roots|clippings|mow\w*)",
    "crystal": r"\s?(?:clear|ball|glass|vase|palace|lake|champagne|river|healing|earrings?|necklace|"
               r"jewelry|workshop|set|chandelier|glassware)",
    "glass": r"\s?(?:of|door|jar|jars|vials?|droppers?|bottle|table|ceiling|cup|window|frame|case|vase|vases|"
             r"bowl|bowls|ware|"
             r"beads|art|blowing|eyes)",
    "green": r"\s?(?:tea|light|card|beans|peppers|onions|day|bay|house|grocer)",
    "pot": r"\s?(?:roast|luck|pie|hole|holes|stickers?|of|plant|noodle|pies|lids?|and pans|holders?|"
           r"plants|s and pans)",
    "bars": r"\s?(?:of|are|in|and\s+restaurants|nearby|downtown)",
    "rock": r"\s?(?:music|band|concert|climb\w*|salt|star|n|and|garden|solid|candy|painting|wall)",
    "speed": r"\s?(?:reading|dating|limit|bump|camera|boat|test|typing|skating|cube|bag|trap)",
    "gummies": r"\s?(?:bears?|worms?|for kids)",
    "mushrooms": r"\s?(?:grow|kits?|risotto|soup|sauce|foraging|spores? for)",
    "tree": r"\s?(?:service|trimming|removal|house|nursery|farm|lights|topper|stand)",
    "line": r"\s?(?:up|of|cook|dance|art|item|break|judge)",
    "flower": r"\s?(?:shop|bed|beds|pot|arrangement|show|market|garden|delivery|bouquets?|girl|crown)",
    "blow": r"\s?(?:up|dryer|dry|out|torch|mold|molding)",
    "kush": r"\s?(?:gym|ball|balls)",
    "8-ball": r"\s?(?:pool|table|cue|jacket|game|tournament|league|rack)",
    "420": r"\s?(?:error|status|code|km|miles|flight|bus|route|room|points|page)",
    # エス only as a word of its own: not エスプレッソ, エステ, エスカレーター.
    "エス": r"(?:プレッソ|テ|カレーター|ニック|キモー|ケープ|コート|ペラント|パニョ|ポワール|ニー)",
    "アイス": r"(?:クリーム|くりーむ|食べ|たべ|コーヒー|こーひー|ティー|てぃー|ココア|最中|屋|バー|ばー|"
            r"ぼっくす|ボックス|が好き|おいし|美味し|買っ|溶け|コーナー|ケーキ)",
    "野菜": r"(?:を買|を食|炒め|いため|サラダ|さらだ|スープ|すーぷ|ジュース|じゅーす|不足|たっぷり|中心|"
          r"嫌い|が高|の値段|の価格|高騰|売り場|農家|直売|ソムリエ|カレー|スティック|料理|作り|育て|の詰め|セット|"
          r"の苗|ジュース)",
    "冷たいの": r"(?:飲|のみ|がいい|が欲し|が好き|食べ)",
    "雪": r"(?:の結晶|結晶|の華|うさぎ|が降|がふ|だるま|かき|見|景色|祭|国|遊び|予報|道|すご|やば|が積|"
          r"積も|つも|化粧|合戦)",
    "草": r"(?:むしり|刈り|が生え|原|花|餅|野球|$|[wｗ])",
    "紙": r"(?:袋|幣|皿|コップ|こっぷ|おむつ|粘土|芝居|飛行機|パック|ぱっく|箱|一重|媒体|製|類|やすり)",
    "粉": r"(?:末|雪|ミルク|みるく|もの|物|チーズ|ちーず|砂糖)",
    "❄": r"\s?(?:day|storm|☃|⛄|cold|winter)",
    "🍁": r"\s?(?:canada|maple|autumn|fall|leaves|紅葉)",
    "コーク": r"(?:ハイ|はい|こーら|コーラ|ゼロ|ぜろ)",
    "スピード": r"(?:違反|いはん|出し|感|重視|配送|対応|勝負|スケート)",
    # ... and a supplier of goods named after it: "your plug for Jordans", "plug for tickets".
    "plug": r"(?:-|\s)?(?:in|ins|and play|sockets?|adapters?|adaptors?)(?![a-z])|"
            r"\s(?:for|on)\s(?:all\s)?(?:your\s)?"
            r"(?:jordans|sneakers|kicks|dunks|yeezys|shoes|tickets|phone cases|vintage|designer|clothes|"
            r"merch|jerseys|cards|coffee|books|plants|perfume|makeup|skincare|lashes|wigs)(?![a-z])",
    "手押し": r"(?:車|ぐるま|ポンプ|式|相撲)",
    "リキッド": r"(?:ファンデ|ふぁんで|のり|洗剤)",
    "チョコ": r"(?:レート|れーと|ケーキ|けーき|チップ|ちっぷ|ミント|みんと|食べ|たべ|作|手作|てづく|の詰め)",
    "シャブ": r"(?:しゃぶ|る|ら|り|れ|ろ|っ)",  # しゃぶしゃぶ (the hot pot), しゃぶる (to suck)
    "ておし": r"(?:ゃ|ま|え|い|っか)",  # 着ておしゃれ, 捨てておしまい, 知っておいて
    "てをし": r"(?:ゃ|ま|え|い|っか)",
    "手おし": r"(?:車|ぐるま|ポンプ|式|相撲)",
    "て押し": r"(?:車|ぐるま|ポンプ|式|相撲)",
    # A product that says it holds none: "THC free", "THCフリー".
    "thc": r"\s?-?\s?(?:free|0\.0|0\s?%|zero|フリー|不使用|ゼロ|"
           r"(?:content\s)?(?:under|below|<|less than)\s?0?\.\d)",  # ... or under a legal limit
    "spice": r"\s?(?:blends?|racks?|mix|jars?|girls?|cake|latte|market|shop|kit|box|set|rub|trade|islands?|"
             r"route|level|grinder|cabinet|drawer)",
    "k2": r"\s?(?:skis?|skates?|snowboards?|bindings|boots?|summit|base camp|mountain|helmet)",
    "whippets": r"\s?(?:pupp\w*|dogs?|breeders?|cross|racing)",
    "tik": r"\s?-?\s?(?:tok|toks|tak)",
    "powder": r"\s?-?\s?(?:coat\w*|room|blue|puff|keg|foundation)",
    "md": r"\s?(?:phd|anderson|of|and ceo|\d{5})",
    "sniff": r"\s?(?:test|out|around|of)",
    "zoot": r"\s?(?:suit|suits)",
    "opium": r"\s?(?:perfume|parfum|eau|edp|edt|ysl|by)",
    "gorilla glue": r"\s?(?:tape|epoxy|gel|clear|wood|original|construction|super)",
    "手推し": r"(?:車|ぐるま)",
    "大魔": r"(?:王|神|法|導|獣|界|境|人|女|物|術)",
    "ブツ": r"(?:撮り|どり|撮影)",  # ブツ撮り: product photography
    # Mary Jane shoes; herbal tea and other herb products; 大まか, 大まじめ
    "bush": r"\s?(?:fire|fires|tucker|walk\w*|craft|plane|pilot|land|baby|babies|whack\w*|trim\w*|hog|"
            r"tea|beans?|telegraph|administration|era|league|camp\w*|knife|hat)",
    "mary jane": r"\s?(?:shoes?|flats?|heels?|pumps?|sandals?|straps?|style|platforms?|watson)",
    "ハーブ": r"(?:ソルト|の苗|園|ガーデン|オイル|石鹸|せっけん|ウォーター|ソーセージ)",
    "大ま": r"(?:か|じめ|ぐ|わり|ち|と|つ|け|る|ん|え|い|お|せ|す|た|ど|ぶ)",
    "chems": r"\s?(?:for (?:the )?(?:pool|hot tub|spa)|kit)",
    "hash": r"\s?(?:browns?|tags?|function|table|tables|map|maps|house|harriers?|run|key|rate|marks?|"
            r"and (?:eggs|beans|chips|toast))",
    "bun": r"\s?(?:cake|cakes|tin|tins|warmer|hair\w*|maker|bag|fight|run|shop|bakery|toaster|"
           r"and (?:burger|chips|sausage|butter|jam|a coffee|a tea)|with)",
}
NEGATIVE_BEFORE: dict[str, str] = {
    # food and hair rolled ("海苔巻いたやつ", "髪を巻いたもの"), tobacco smoked ("タバコ吸いたい人")
    **{k: r"(?:海苔|のり|ベーコン|ハム|はむ|卵|玉子|包帯|テープ|リボン|髪|マフラー|春|生地)を?で?$"
       for k in ("巻いたやつ", "巻いたもの", "巻いてあるやつ", "巻いてあるの")},
    **{k: r"(?:タバコ|たばこ|煙草|シーシャ|葉巻|紙巻き|空気|酸素|水タバコ|電子タバコ|アイコス)を?$"
       for k in ("吸いたい人", "吸いたい方", "吸える人", "吸いたいやつ")},
    # "drinks and ice" is the drink's; "bud and ice", "weed and ice" list two drugs.
    "ice": r"(?:shaved|dry|black|thin|on|iced|cream|slip\w*|(?<!bud )(?<!buds )(?<!weed )(?<!ganja )"
           r"(?<!kush )(?<!coke )(?<!pills )(?<!molly )(?<!gear )and|the|rink|hockey|melt\w*|dry|party|"
           r"crushed|cubed|bagged|bags of|block of|blocks of)\s?$",
    "md": r"(?:dr\.?|baltimore|rockville|silver spring|bethesda)\s?$",
    # A pet or a person so named: "our dog Molly", "a cat called Charlie".
    **{name: r"(?:dog|cat|puppy|kitten|pup|tabby|named|called|aunt|auntie|nan|grandma)\s?$"
       for name in ("molly", "charlie", "tina")},
    "opium": r"(?:ysl|black|saint laurent)\s?$",
    "bush": r"(?:rose|blueberry|berry|lilac|butterfly|holly|hydrangea|gooseberry|currant|bramble|burning|"
            r"george|president|the|a|around|rosemary|lavender|tea|this|that|big|old)\s?$",
    # pool and garden chemicals
    **{w: r"(?:pool|spa|hot tub|garden|lawn|cleaning|car care)\s?$" for w in ("chems", "chem")},
    # "ice cold ❄️", "winter ❄️": the emoji illustrating its ordinary sense
    "❄": r"(?:cold|winter|frost\w*|chill\w*|cool\w*|frozen|freez\w*)\s?$",
    "northern lights": r"(?:the|see|saw|seeing|chasing|chase)\s?$",
    "snow": r"(?:heavy|fresh|first|the|let it|more|of|melting|deep|jon)\s?$",
    # ... and the culinary and water plants so named: "dill weed", "sea weed", "duckweed"
    "weed": r"(?:to|pull\w*|garden|dandelion|dill|sea|duck|tumble|knot|pond|chick|milk|fire)\s?$",
    # cookware: "cast iron pot", "stock pot", "clay pot"
    "pot": r"(?:cast[ \-]?iron|iron|stock|crock|clay|copper|enamel\w*|ceramic|cooking|soup|stew|tea|"
           r"coffee|flower|plant|honey|terracotta|hot|steel|non-?stick)\s?$",
    "gas": r"(?:natural|tear|laughing|greenhouse|cooking|cheap|out of|full of|stomach|on the|pass the)\s?$",
    "coke": r"(?:diet|cherry|vanilla|a|cold|glass of|mexican)\s?$",
    "crystal": r"(?:swarovski|quartz|liquid|salt|sugar)\s?$",
    "glass": r"(?:crystal|stained|sea|wine|beer|pint|shot|drinking|tempered|frosted|magnifying)\s?$",
    "bud": r"(?:taste|rose|flower|my|hey|thanks|cotton|spring)\s?$",
    # ... and bullion sold by weight: "1g gold bars"
    "bars": r"(?:gold|silver|platinum|bullion|chocolate|candy|granola|protein|monkey|gay|sports|wine|"
            r"cocktail|sick|spit\w*|hard|these|graph|lego|energy)\s?$",
    "pills": r"(?:vitamin|birth control|allergy|sleeping|fish oil|my|the)\s?$",
    "bun": r"(?:hot cross|cross|burger|brioche|sticky|iced|cinnamon|bao|steamed|sweet|cream|chelsea|currant|"
           r"bath|hamburger|hot dog|sesame|honey|pork|the|a|my|her|messy|top|space|seeded|"
           r"soft|fresh|bacon)\s?$",
    # the breakfast dish and the computing sense: "corned beef hash", "a SHA-256 hash"
    "hash": r"(?:corned beef|corned|beef|potato|sweet potato|breakfast|veggie|vegetable|turkey|salmon|"
            r"red flannel|"
            r"sha-?\d*|md5|crypto|password|file|the|a)\s?$",
    # bakery and kitchen rolls: "bacon rolls", "cinnamon rolls", "toilet rolls"
    "rolls": r"(?:bacon|sausage|spring|egg|cinnamon|toilet|kitchen|bread|dinner|sushi|lobster|pork|"
             r"ham|cheese|"
             r"salad|breakfast|jam|swiss|paper|cabbage|california|filled|soft|crusty|brioche)\s?$",
    "tabs": r"(?:browser|chrome|open|many|the|my)\s?$",
    "candy": r"(?:cotton|halloween|rock|eye)\s?$",
    "gummies": r"(?:sour|fruit|vitamin|gummy|haribo|melatonin|cbd)\s?$",
    "mushrooms": r"(?:oyster|shiitake|button|gourmet|wild|portobello|lion's mane|chanterelle)\s?$",
    "tree": r"(?:christmas|apple|lemon|avocado|fruit|backyard|family|my|the)\s?$",
    "k": r".*$",  # a bare "k" is far too common to mean ketamine without a strong cue
    "x": r".*$",
    "h": r".*$",
    "green": r"(?:forest|olive|lime|dark|light|go)\s?$",
    "white": r".*$",
    "powder": r"(?:baby|protein|curry|baking|washing|talcum|milk|whey|casein|collagen|creatine|pre-workout|"
              r"preworkout|greens|electrolyte|"
              # food powders: "vanilla bean powder", "cacao powder", "garlic powder"
              r"vanilla|vanilla bean|bean|beans|cocoa|cacao|matcha|green tea|garlic|onion|chilli|chili|"
              r"ginger|cinnamon|beetroot|moringa|maca|coconut|almond|custard|jelly|mushroom|fruit|acai|"
              r"baobab|carob|malt|spirulina|wasabi|mustard|paprika|cumin|turmeric|egg|rice|soy|pea)\s?$",
    # A contact cue inside a longer word: タイムラインで ("on the timeline"), オンラインで ("online").
    "ラインで": r"(?:タイム|たいむ|オン|おん|ガイド|ぼーだー|ボーダー|デッド|スカイ|ネック)$",
    "flower": r"(?:the|a|wild|spring|cherry|sun)\s?$",
    "420": r"(?:flight|bus|room|error|status|code|page|route|#)\s?$",
    "野菜": r"(?:新鮮な|しんせんな|旬の|無農薬|有機|夏|冬|緑黄色|温|生|朝採れ|あさどれ|採れたて|"
          r"とれたて|朝どれ|産直|農園の|家庭菜園の|地元の)$",
    "チョコ": r"(?:手作り|てづくり|手作りの|板|生|ホット)$",
    "アイス": r"(?:チョコ|ちょこ|バニラ|ばにら|抹茶|まっちゃ|棒|カップ|かっぷ|ガリガリ|雪見|"
            r"手作り|てづくり)$",
    "シャブ": r"(?:しゃぶ|豚|牛|冷|鶏|鍋)$",
    # ... or one under a legal limit ("under 0.2% THC", "<0.3% thc"); a strain's "28% THC" stays.
    "thc": r"(?:no|zero|(?<![\d.])0(?:\.\d+)?\s?%?|without|non|free of)\s?-?\s?$",  # "%": a symbol, read past
    "spice": r"(?:pumpkin|mixed|all|chai|curry|baking|apple|cajun|indian|whole|ground|taco|jerk|five|old|"
             r"winter|cinnamon)\s?$",
    "poppers": r"(?:party|confetti|jalapeno|jalapeño|pimple|corn|shrimp|bubble)\s?$",
    "whippets": r"(?:greyhound|rescue|my|our)\s?$",
    # "coffee plug", "sneaker plug": a supplier of that good. An emoji right after the word it
    # illustrates is the same cue ("plug 🔌"), not a second one.
    "plug": r"(?:coffee|sneaker|sneakers|ticket|tickets|phone|case|merch|vintage|thrift|book|books|plant|"
            r"plants|cake|cookie|candle|clothing|shoe|shoes|perfume|makeup|skincare|lash|hair|wig|nail|jersey|"
            r"card|cards|pokemon|game|games|car parts|parts|tech|gadget|designer|jewelry|jewellery)\s?$",
    "🔌": r"plug\s?$",
}

# Drug-trade cues: backing for an ambiguous drug word even among commerce words.
TRADE_CUES = (
    "telegram|tg|t.me|wickr|wickr me|signal|threema|session app|session id|potato app|wire app|"
    "element app|plug|the plug|stealth shipping|re-up|reup|cop from me|"
    "手押し|テレグラム|テレグラ|シグナル|ワイヤー|ウィッカー|ポテト|セッション|プッシャー|売人|パケ|"
    "パケ売り|秘密厳守|🔌|" + slang.TRADE_STRONG_EN + "|" + slang.TRADE_STRONG_JA + "|"
    + slang.NUDGE_EN + "|" + slang.NUDGE_JA)
# Buyers asking: "anyone in leeds got a plug?", "who's selling carts", "手押しやってる人いませんか".
# Only where the post names no price or amount: "who got the best za? $40 an 8th" is a seller.
ASKING_RE = re.compile(
    r"(?<![a-z])(?:any ?one|anybody|any1|does anyone|who|who'?s|where can i|where do i|where to)"
    r"(?:\s(?:in|near|around|round)\s[a-z]+(?:\s[a-z]+)?)?"
    r"\s(?:got|have|has|selling|sell|sells|knows?\s(?:a|where|who)|get|find|buy|cop)(?![a-z])|"
    r"(?:やって|売って|持って|扱って|余って|譲って|して)(?:る|くれる)(?:人|方)(?:い|お)|"
    r"どこで.{0,8}?(?:買え|手に入|売って)|誰か.{0,16}(?:いない|いませんか|持ってない|売って|おらん|おらへん|いてへん|教えて)|"
    r"(?:人|方)(?:を)?誰か知|(?:人|方)知らない|(?:ほしい|欲しい)んだ(?:けど|が)|"
    # ... and where to buy: "買えるとこ知らない？", "where can i get", "anyone know where"
    r"買える(?:とこ|ところ|所|場所|店|お店)|(?:とこ|ところ|場所|店)(?:知らない|知りませんか|を?教えて)")
# A question about what a word means ("「手押し」って何？", "what does za mean", 隠語): talk about the
# slang, whatever trade words it quotes.
MEANING_RE = re.compile(r"って(?:何|なに|どういう)|隠語|どういう意味|"
                        r"(?<![a-z])what (?:does|do|is|'s)\s.{1,40}?\s?mean(?![a-z])|"
                        r"(?<![a-z])(?:slang for|slang term|is slang|what's slang)(?![a-z])")
# A vendor's own terms about seizures and losses ("reship guarantee on seized packs", "lost or
# seized orders refunded"): a seller's policy, not a news report, so no talk context.
VENDOR_TERMS_RE = re.compile(r"(?:reship|resend|refund)\w*(?:\W+\w+){0,4}?\W+seiz\w*|"
                             r"seiz\w*(?:\W+\w+){0,4}?\W+(?:reship|resen[dt]|refund)\w*|lost (?:or|/) seized")
# Goods sold by weight (tea by the 10 g, spices, bullion): a gram amount there is how the shop
# prices, so among commerce words it is no dose backing an ambiguous drug word.
WEIGHED_GOODS = ("量り売り|はかり売り|by weight|by the gram|loose leaf|per 100g|/100g|spices|spice|saffron|"
                 "bullion|gold|silver|troy oz|スパイス|茶葉|金貨|銀貨|地金|"
                 # craft supplies and sport nutrition by the pot or tub, dry ice by the kilo
                 "mica|pigment|pigments|epoxy|creatine|whey|protein powder|ホエイ|プロテイン|ドライアイス|"
                 # cosmetic and craft glitter by the pot or baggie, food powders by the 10 g
                 "glitter|glitters|sequins|embossing powder|vanilla|cocoa|cacao|matcha|bean powder")
# Mains power and chargers: 🔌 there is the plug in the wall, no dealer's plug.
ELECTRICAL = ("charger|chargers|charging|cable|cables|adapter|adapters|outlet|outlets|socket|extension cord|"
              "power bank|usb|usb-c|type-c|electrician|ev charger|充電器|充電|ケーブル|アダプター|コンセント|"
              "延長コード|電源|モバイルバッテリー|電気工事")
# A one-letter drug code ("K", "H") counts only with a per-gram price right after it: "K £25/g".
LETTER_DEAL_RE = re.compile(r"\s?[:\-]?\s?(?:[$£€]\s?\d+(?:\.\d+)?\s?(?:/|a|per)\s?(?:g|gram)(?![a-z])|"
                            r"\d+(?:\.\d+)?\s?(?:g|grams?)\s?(?:for|=)\s?[$£€]?\d)")
# Dose-sized quantities: grams up to an ounce, tablets, or a bare "0.5".
DOSE_RE = re.compile(r"(?<![\d.])(?:0?\.\d+|[1-9]|1\d|2[0-8]|3\.5)\s?"
                     r"(?:g|gs|gr|grams?|グラム|ぐらむ)(?![a-z])|"
                     r"\d+\s?(?:錠|じょう)|(?<![\d.])0\.\d+(?![\d.%])")
