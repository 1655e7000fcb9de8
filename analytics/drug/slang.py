"""A broad reference list of drug slang and trade jargon, beside the core lexicon.

The core lexicon (:mod:`analytics.drug.lexicon`) grew from the project's own sets, so it
knows the slang those sets used and little else: on a set written after it was fixed,
English posts about "blues" and "pressed bars" went unflagged. This module widens the
vocabulary from the general categories of public reference material for law enforcement
and harm reduction (the DEA's "Slang Terms and Code Words" report, the EMCDDA's drug
profiles, Japan's MHLW "ダメ。ゼッタイ。" awareness pages), written here by drug class
rather than copied: street names of the common classes (counterfeit pills, benzodiazepines,
prescription opioids and stimulants, fentanyl, GHB, codeine syrup, new psychoactive
substances), the regional slang of the UK, Australia and Japan, weights and deal sizes,
and the trade's own words for payment, vendors and stealth delivery.

The same rules as the core lexicon hold: a ``strong`` term means a drug (or the trade)
almost anywhere; an ambiguous one only counts when the post backs it up. Words that are
ordinary English first ("work", "brown", "clear", "friend") are left out altogether: a
term that is right once a thousand posts costs precision at a review desk.
"""

from __future__ import annotations

import re

# --- drug names, strong: (category, "|"-separated terms)
STRONG_EN: tuple[tuple[str, str], ...] = (
    ("cannabis", "quad a|craft aaaa|aaaa bud|aaaa flower|triple a bud|devils lettuce|devil's lettuce|"
                 "sticky icky|dro|spliff|spliffs|"
                 "nugs|live resin|bubble hash|budder|bho|thc oil|thc wax|thc pens|thc pen|loud pack|"
                 "exotic pack|za pack|zaza pack|dime bag|dime bags|nickel bag|dimebag|"
                 "thc vape|thc vapes|wax carts|dab carts|packwoods|muha meds|thc syrup|hash oil"),
    ("cocaine", "perico|gack|peruvian flake|nose beers|crack cocaine|"
                "freebase|ready rock|crack rocks|8balls|eight-ball|eightballs|coca paste"),
    ("meth", "pervitin|meth pipe|ice pipe|crystal shards"),
    ("heroin", "chiva|skag|scag|black tar heroin|brown heroin"),
    ("fentanyl", "fetty|fenty|fentanil|china girl|murder 8|rainbow fent|rainbow fentanyl|carfentanil|"
                 "fake 30s|pressed 30s|pressed m30s|blue 30s|blues 30s|fent pills|"
                 "nitazene|nitazenes|isotonitazene|xylazine|tranq dope"),
    ("pills", "pressies|pressed pills|pressed bars|pressed percs|pressed xans|pressed blues|dirty 30s|"
              "dirty thirties|perc 30s|perc 10s|oxy 30s|oxy 80s|roxi|roxis|roxicodone|opana|opanas|"
              "dilaudids|hydrocodone|oxymorphone|hydromorphone|morphine pills|methadone|subutex|"
              "buprenorphine|tapentadol|nucynta|lortab|ms contin|tramadols"),
    ("benzos", "alprazolam|diazepam|etizolam|clonazepam|lorazepam|ativan|bromazolam|flualprazolam|"
               "xanax bars|xan bars|zan bars|zanbars|green hulks|school buses|xanny|xannys|xany|"
               "benzo|yellow bars|white bars|blue footballs"),
    ("stimulants", "uppers and downers|vyvanse|addies|addys|dexedrine|concerta|dexamphetamine|"
                   "amphetamine|amphetamines|phet|study drugs|adderall xr|addy xr"),
    ("mdma", "xtacy|xtasy|ekstasy|pingers|pingas|xtc|ecstacy|e pills|disco biscuits|md crystals|"
             "mdma crystals|molly crystals|mdma caps|molly caps"),
    ("psychedelics", "acid tabs|lsd tabs|microdots|1p-lsd|1p lsd|1v-lsd|nbome|25i|gel tabs|"
                     "liquid lsd|magic mushrooms|mushies|shroom|psilocybe|golden teachers|penis envy|"
                     "cubensis|magic mush|psilocybin capsules|shroom gummies|shroom chocolates|"
                     "5-meo|5 meo|changa|mescaline|peyote|2c-i|2ci|2c-e|lsd sheets"),
    ("ketamine", "cat valium|k-hole|khole|keta|horse tranquilizer|horse tranquiliser|"
                 "horse tranq|k powder|ket bags"),
    ("ghb", "liquid ecstasy|liquid x|gbl|georgia home boy|g juice|gina bottles"),
    ("codeine", "sizzurp|purple drank|dirty sprite|actavis|wockhardt|wock|wockesha|"
                "promethazine codeine|tussionex|qualitest|pints of lean|pint of lean|lean pints"),
    ("nps", "angel dust|sherm|sherms|k2 spice|synthetic weed|flakka|alpha-pvp|a-pvp|"
            "m-cat|3-mmc|3mmc|4-mmc|spice packets|spice papers|spice paper|k2 papers|k2 paper|"
            "spice sheets|k2 sheets|spice-soaked|spice soaked|synthetic cannabinoids"),
    # Inhalants: alkyl nitrites and nitrous oxide as sold for getting high, not as cream chargers.
    ("inhalants", "poppers|amyl nitrite|amyl nitrate|alkyl nitrite|nangs|whippits|galaxy gas|"
                  "nitrous balloons|nos balloons|laughing gas balloons|hippy crack|nos canisters"),
)
# --- drug names, ambiguous: they need backing from the post. Kept short on purpose: words
# with a common second life in sale posts ("china", "dog food", "syrup", "wax", "mids",
# "lowers", names like "lucy") are not here at all.
AMBIGUOUS_EN: tuple[tuple[str, str], ...] = (
    ("cannabis", "nug|nugz|quarter of za|zip of za"),
    ("cocaine", "hard white|yola"),
    ("meth", "shard|tweek"),
    ("fentanyl", "blue ms|m30 blues|tranq"),
    ("pills", "hulks|totem poles"),
    # Ordinary products first ("bath salts" in a spa shop, "spice" in a kitchen, K2 the
    # mountain and the skis, cream chargers for whipped cream): they need backing.
    ("nps", "bath salts|spice|k2|mamba|black mamba"),
    ("inhalants", "nitrous|nitrous oxide|laughing gas|n2o|whippets|cream chargers|fastgas|smartwhip|amyl"),
)
# --- regional street names, by region (written from general knowledge of each region's street
# vocabulary, not from any set's posts). Words whose first sense is ordinary and sold every day
# are left out: "gear" (kit), "buttons" (SA mandrax; sewing), "maal" (Hindi "goods"), "igbo"
# (a people and a language), "brown sugar" (Indian heroin; baking), "doves", "jellies", "mandy".
REGIONAL_STRONG_EN: tuple[tuple[str, str], ...] = (
    # UK / London road and drill, Scotland, Ireland
    ("cannabis", "sensi|sensimilla|sinsemilla|bifta|biftas|cali weed|cali bud|cali tins|cali packs|"
                 "cali flower|skunk weed"),
    ("mdma", "ecky|eckies|eccies|eccy|ekky|ekkies|mitsubishi pills"),
    ("stimulants", "billy whizz|dexies"),
    ("benzos", "vallies|vallys|street vallies|street valium|street blues|street xanax"),
    # South Africa, India, Nigeria, the Caribbean
    ("cannabis", "dagga|zol|zols|kief|kif|charas|lambsbread|lamb's bread|buddha sticks|buddha stick"),
    ("heroin", "whoonga|wunga|nyaope|chitta|afeem|afim|doda post|bhukki|poppy husk|poppy straw"),
    ("pills", "mandrax|tramol|gbana"),
    ("meth", "mkpuru mmiri"),
    # strain names (US and Canadian dispensary and street menus, sold world-wide)
    ("cannabis", "sour diesel|blue dream|white widow|jack herer|gg4|green crack|durban poison|"
                 "amnesia haze|lemon haze|super silver haze|strawberry cough|granddaddy purple|"
                 "grand daddy purple|maui wowie|acapulco gold|thai stick|thai sticks|ak-47 strain|"
                 "gelato 41|gelato 33|lemon cherry gelato|purple kush|bubba kush|sour d strain"),
)
# London road pairs: crack ("pebs", "bits") with weed ("bun") or heroin ("food"), named as one
# menu. Kept out of REGIONAL_STRONG_EN, which the corpus generator draws its drug names from.
ROAD_PAIRS_EN: tuple[tuple[str, str], ...] = (
    ("cocaine", "pebs n bun|pebs and bun|pebs & bun|bun n pebs|bun and pebs|bun & pebs|bun n bits|"
                "bun and bits|bits n bun|pebs n food|food n pebs"),
)
REGIONAL_AMBIGUOUS_EN: tuple[tuple[str, str], ...] = (
    # UK and Scotland: cocaine by its ordinary verbs and nicknames; the crack-and-heroin pair
    ("cocaine", "sniff|ching|white n brown|white and brown|white & brown"),
    ("cannabis", "skunk|zoot|zoots|northern lights|bhang|dak"),
    # Ireland ("yokes": pills, and "things"), the UK's "mitsis", Australia's "goey" (speed)
    ("mdma", "yokes|mitsis"),
    ("stimulants", "goey|goee"),
    # South Africa ("tik": meth), the US ("perkys": percocets)
    ("meth", "tik"),
    ("pills", "perkys|perkies|opium"),
)
# --- code words with a common benign sale of their own (a glue, a film, a record, a job title):
# ambiguous, and they count only beside a deal size (a gram amount, a per-gram or per-pill
# price, a dose), a trade cue or a strong drug term. "MD" is MDMA or mephedrone in India and the
# UK, and a doctor or a managing director everywhere.
CODED_EN: tuple[tuple[str, str], ...] = (
    ("mdma", "md"),
    # London road: "pebs" and "pebbles" (crack), "bun" (weed; the bakery's bun is ruled out below)
    ("cocaine", "pebs|pebbles"),
    ("cannabis", "bun"),
    ("cannabis", "high grade|highgrade|dank|purple haze|pineapple express|gorilla glue"),
    ("stimulants", "whizz"),
)
# --- Japanese (post text is folded to hiragana; entries are folded the same way). Left out:
# ブリ (yellowtail), 炙り (aburi sushi), コカ (Coca-Cola), ケタ (ケタ違い), ワックス, ネタ.
STRONG_JA: tuple[tuple[str, str], ...] = (
    ("cannabis", "大麻樹脂|THCベイプ|THCペン|マリファナリキッド|ジョイント巻き|クッシュ|サティバ|インディカ|"
                 "ウィード"),
    ("meth", "ヤーバー|ヤーバ|ポン中|エスあり|かくせいざい|アッパー系"),
    ("cannabis", "たいま|ダブ系|シャッター系|大🐴|🐴🍁|手推し"),
    ("pills", "オキシコドン|フェンタニル|ヒドロコドン|モルヒネ|トラマドール|ダウナー系|えむでぃー|"
              "えむでぃーえむえー|ブロン錠|咳止め販売|咳止め まとめて"),
    ("ghb", "G水|GHB|GBL"),
    ("mdma", "モリー|エックス錠|MDMA錠"),
    ("psychedelics", "アシッド|マジックマッシュルーム|マジックマッシュ|ペーパーアシッド"),
    ("ketamine", "スペシャルK"),
    ("benzos", "エチゾラム|デパス|ハルシオン|サイレース|ロヒプノール|ベンザリン|フルニトラゼパム|"
               "トリアゾラム|マイスリー|レンドルミン|眠剤売り|ザナックス|ソラナックス|コンスタン|アルプラゾラム|"
               "リボトリール|ワイパックス|エリミン|ベゲタミン"),
    ("stimulants", "リタリン|コンサータ|メチルフェニデート|ビバンセ|アデロール|モダフィニル"),
    ("nps", "合法ハーブ|合法アロマ|危険ドラッグ|合法リキッド"),
    ("inhalants", "ポッパーズ|ラッシュ液|笑気ガス風船|亜硝酸アミル"),
)
AMBIGUOUS_JA: tuple[tuple[str, str], ...] = (
    ("benzos", "眠剤|睡眠薬|安定剤"),
    ("pills", "ブロン|咳止め|せきどめ"),
    ("cannabis", "ワックス|シャッター|大魔"),  # 大魔: 大麻 mistyped (大魔王, 大魔法 are benign)
    # a joint by what it is ("the rolled one", a pre-roll) and by who it is for ("who wants a smoke")
    ("cannabis", "巻いたやつ|巻いたもの|巻いてあるやつ|巻いてあるの|巻き済み|プレロール|"
                 "吸いたい人|吸いたい方|吸える人|吸いたいやつ"),
    ("nps", "バスソルト"),  # first of all a bath product
    ("inhalants", "笑気ガス"),  # ラッシュ is also a cosmetics brand and the rush hour
)
# --- trade: strong cues (drug-trade practice, rarely an ordinary seller's or a reporter's
# words: "vendor", "stealth", "escrow", "dark web" are weak below, "trap" and "burner" alone
# are left out)
TRADE_STRONG_EN = (
    "trap phone|trap house|trapping|my plug|plug in bio|the connect|verified vendor|"
    "no fronts|fronting|send first|cashapp first|cash app first|deposit first|number in bio|"
    "number in my bio|contact in bio|contact in my bio|menu in bio|menu in my bio|info in bio|"
    "deets in bio|prices in bio|text the number|text my number|hit my phone|hit my cell|no leo|"
    "no cops|leo stay away|burner phone|servin|juggin|jugg|moving weight|weight available|"
    "plug prices|plug price|link up only|pull up on me|pm for|pm 4|"
    # UK road ("shotting": dealing), dark-web vendor terms (finalise early, domestic-to-domestic
    # shipping, drop addresses)
    "shotting|shotter|shotters|trap line|trapline|finalize early|finalise early|fe only|fe required|"
    "no fe|uk2uk|us2us|eu2eu|au2au|ca2ca|dead drop|dead drops|drop address|domestic stealth")
TRADE_STRONG_JA = (
    "飛ばし携帯|足がつかない|身バレなし|捕まらない|仮想通貨のみ|ビットコインのみ|先払いのみ|手押しあり|"
    "パケ詰め|ブツあり|手推し")
# --- trade: weak cues (deal sizes and terms; never a sale offer alone). Two weak cues back
# an ambiguous word, so only words of the trade are here: not "each", "pure", payment
# methods ("paypal", "crypto") or pick-up terms ("pickup", "curbside") that any seller uses.
TRADE_WEAK_EN = (
    "dime|dimes|dub|dubs|dub sack|20 sack|twenty sack|sack|sacks|quarter|quarters|teener|teenth|16th|"
    "elbow|elbows|brick|bricks|kilo|kilos|birds|baggie|baggies|flip|samples|free samples|"
    "lab tested|pp f&f|paypal f&f|f&f only|usdt|"
    "e-transfer|etransfer|e transfer|"
    "monero|xmr|stealth|stealthy|mylar|smell proof|"
    "smellproof|vacuum sealed|vac sealed|hmu on|drop the pin|drop a pin|pin drop|menu drop|"
    "darknet|dark web|a pop|per pill|per tab|"
    # vendor listings (escrow, reships, PGP, vendor shops) and regional deal sizes and drops
    # (South Africa's "bankie", the UK's "bando", "drop round")
    "escrow|reship|reships|reshipping|reship policy|pgp|pgp key|opsec|vendor shop|vendor page|"
    "vendor profile|jabber|xmpp|onion link|bankie|bankies|bando|can drop|drop round|drop around|"
    # London road: the goods are good ("tings proper"), the deal line is open
    "tings proper|proper tings|top tings|food ready|line open|lines open|line's open|line is open|"
    "link me|new number save it|save the new number|save my new number|"
    # US street: free samples for new buyers, the dealer's own phone, "call or text"
    "testers|tester|free testers|new folks|new faces|work phone|work line|work cell|work jack|"
    "call or text|call or txt|call/text|text or call|txt or call|call n text")
TRADE_WEAK_JA = (
    "振込|銀行振込|先払い|後払い|代引き|仮想通貨|ビットコイン|大口|少量|サンプル|初回|初回割|"
    "新規様|リピーター様|常連様|品質保証|本物|匿名|レターパック|当日|深夜|24時間|上物|極上|高純度|"
    "純度|小分け|卸します|バレない|紹介者|紹介のみ|紹介制")
# --- the nudge: a seller hinting that the goods are not what the listing says ("herbal tea 😉,
# don't ask", "効きます笑", "分かる人向け"). Not drug evidence itself, but it backs an ambiguous
# word even among commerce words, as a trade cue does.
NUDGE_EN = (
    "😉|😏|iykyk|if you know you know|you know what it is|don't ask|dont ask|"
    "no script needed|no prescription needed|no script|no rx needed|not for human consumption|wink wink")
NUDGE_JA = "分かる人|わかる人|聞かないで|察して|効きます|効き目|意味わかる"

# Deal-size price: "10 a pop", "25 each", "20 per pill" ("5 for 100" is in PRICE_RE).
UNIT_PRICE_RE = re.compile(r"(?<![\d.])\d{1,4}\s?(?:a|per|each|ea|apiece|/)\s?(?:pop|piece|pc|pill|tab|"
                           r"bar|gram|g|zip|oz|8th|ball|bag|cart|pen|strip|bean|roll|cap|pint|point)s?(?![a-z])|"
                           r"(?<![\d.])\d{1,4}\s?(?:each|ea|apiece|per)(?![a-z])|"
                           # "oz of the loud for 180": a dealer's weight, what it is, its price
                           r"(?<![a-z])(?:oz|zip|8th|eighth|quarter|qp)\s(?:of\s(?:the\s)?[a-z]+\s)?for\s?"
                           r"[$£€]?\d{2,4}(?![\d.])")
# Prices in regional currencies and forms: rand ("R150"), rupees ("₹2500", "Rs 500", "2500/-"),
# naira ("N5000", "₦5k"), and money words ("a tenner each").
REGIONAL_PRICE_RE = re.compile(r"(?<![a-z0-9])(?:r|n|ksh)\d{3,}(?:[.,]\d+)?k?(?![\d.a-z])|"
                               r"(?:₹|₦|rs\.?\s?|inr\s?)\d[\d,]*(?:\.\d+)?k?(?![\d.])|"
                               r"(?<![\d.])\d[\d,]*\s?(?:rand|rupees|naira|cedis|/-)(?![a-z])|"
                               r"(?<![a-z])(?:tenner|fiver)\s(?:a|per|each|bags?|baggies|deals?)(?![a-z])")
# Japanese prices without 円, or in kana: "1.2万", "1まん5せん", "5千".
JA_PRICE_RE = re.compile(r"(?<![\d.])\d+(?:[.,]\d+)?\s?(?:万|まん|千|せん)(?!人|件|回|歩)")
# Pill strength after a pill name: "oxy 80", "addy 30s", "perc 10", "blues 30s", "m 30".
# Names with an ordinary second life ("blues", "bars", "m") need the "s" or "mg".
_PILL_PLAIN = r"oxys?|oxycodone|oxycontin|hydrocodone|percs?|percocet|roxys?|roxies|roxis?|roxicodone|" \
              r"addys?|addies|adderall|xans?|xanax|alprazolam|opanas?|dilaudids?|norcos?|vyvanse|ritalin|fent"
_PILL_SUFFIX = r"blues|pressed|pressies|hydros?|bars|m"
# ... and the strength first: "2mg bars", "30mg blues", "2mg バー".
_PILL_AFTER = r"bars?|xans?|xannies|blues|footballs|ladders|ばー"
PILL_STRENGTH_RE = re.compile(rf"(?<![a-z])(?:(?:{_PILL_PLAIN})\s?-?\s?\d{{1,3}}(?:s|mg)?|"
                              rf"(?<![\d.])\d{{1,3}}(?:\.\d)?\s?mg\s?(?:{_PILL_AFTER})|"
                              rf"(?:{_PILL_SUFFIX})\s?-?\s?\d{{1,3}}(?:s|mg)|m\s?-?\s?30)(?![\d.a-z])")


def entries_by_class(strong: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """``(category, term)`` pairs of one table, terms stripped, empty ones dropped."""
    return [(cat, t.strip()) for cat, terms in strong for t in terms.split("|") if t.strip()]
