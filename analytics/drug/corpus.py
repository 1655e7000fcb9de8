"""Generated EN + JA posts for training the learned screen: templates, slots, obfuscations.

Every post is built from a template and slot words written for this module (no real posts,
no real handles), labelled ``sale_offer``, ``drug_talk`` or ``benign``; about half carry an
obfuscation from :mod:`analytics.drug.obfuscate` on the planted drug word or contact cue.
Benign posts include the hard cases: ordinary goods sold with a contact cue ("selling my
bike, dm me"), ambiguous words in plain context ("ice cream", "野菜を買った"), news and
recovery talk, and the benign commerce families of :mod:`analytics.drug.corpus_commerce`
(produce, sweets, tea, cosmetics, tickets, second-hand goods sold with a contact cue).
Benign posts are really benign: their emoji come from :data:`BENIGN_EMOJI`, their contact
cues and handles from ordinary sellers, and the ``emoji`` obfuscation (which plants drug
emoji) is only ever applied to a planted drug word. Sale offers include disguised ones (a
legal good's name, a nudge, a dose or a per-gram price); talk includes buyers asking,
harm-reduction warnings and scam stories. ``generate(n, seed=...)`` is deterministic.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from analytics.drug import corpus_commerce as cc
from analytics.drug import slang
from analytics.drug.obfuscate import KINDS, applicable, obfuscate

logger = logging.getLogger(__name__)

SALE, TALK, BENIGN = "sale_offer", "drug_talk", "benign"

DRUGS_EN: dict[str, tuple[str, ...]] = {
    "cannabis": ("weed", "kush", "gas", "loud", "bud", "za", "carts", "wax", "edibles", "prerolls", "ganja",
                 "exotics", "thc carts", "flower", "dabs"),
    "meth": ("meth", "ice", "crystal", "shards", "tina", "glass", "crank"),
    "cocaine": ("coke", "yayo", "snow", "blow", "white", "8ball", "fishscale", "cocaine"),
    "pills": ("xans", "bars", "percs", "oxy", "m30s", "molly", "mdma", "tabs", "acid", "shrooms", "ket",
              "addy", "lean", "pressies", "2cb", "dmt", "special k", "ex pills", "shroom bars", "gummies"),
    "heroin": ("heroin", "dope", "boy", "smack", "china white", "roxies", "blues", "footballs", "zannies"),
}
DRUGS_JA: dict[str, tuple[str, ...]] = {
    "cannabis": ("野菜", "草", "大麻", "ハッパ", "ガンジャ", "リキッド", "バッズ", "ジョイント",
                 "チョコ", "クサ"),
    "meth": ("アイス", "シャブ", "冷たいの", "クリスタル", "S", "エス"),
    "cocaine": ("コカイン", "スノー", "白いの", "コーク"),
    "pills": ("エクスタシー", "MDMA", "タマ", "バツ", "ラムネ", "LSD", "紙", "キノコ", "ケミカル", "ブツ"),
    "heroin": ("ヘロイン", "ブツ", "パケ", "ハシシ"),
}
# The reference list's drug names (analytics.drug.slang) join the generator's own, two more
# groups among them, so the n-gram model meets the vocabulary the lexicon was widened with.
_GROUPS_EN = {"cannabis": ("cannabis",), "cocaine": ("cocaine",), "meth": ("meth",), "heroin": ("heroin",),
              "pills": ("pills",), "pharma": ("fentanyl", "benzos", "stimulants", "codeine"),
              "party": ("mdma", "psychedelics", "ketamine", "ghb", "nps", "inhalants")}
_GROUPS_JA = {"cannabis": ("cannabis",), "meth": ("meth",),
              "pills": ("mdma", "psychedelics", "ketamine", "benzos", "stimulants", "nps", "inhalants")}


def _widened(base: dict[str, tuple[str, ...]], table: tuple[tuple[str, str], ...],
             groups: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    terms = slang.entries_by_class(table)
    return {cat: base.get(cat, ()) + tuple(t for c, t in terms if c in groups.get(cat, ()))
            for cat in dict.fromkeys([*base, *groups])}


DRUGS_EN = _widened(DRUGS_EN, slang.STRONG_EN + slang.REGIONAL_STRONG_EN, _GROUPS_EN)
DRUGS_JA = _widened(DRUGS_JA, slang.STRONG_JA, _GROUPS_JA)
CONTACT_EN = ("dm me", "hmu", "telegram @{h}", "wickr {h}", "snap {h}", "signal only", "dm for menu",
              "hit my line", "message me", "text {n}", "tg in bio", "link in bio", "inbox me", "kik {h}",
              "add me on whatsapp", "pm for prices", "slide in my dms", "threema {h}", "ping me",
              "shoot me a message", "sig me", "tele only", "reach out", "email me", "check my story",
              "menu on my page", "hit the link", "inbox for orders", "text only", "wire me",
              "number in my bio", "text the number in my bio", "menu in bio", "pm for the list",
              "hit my cell", "cashapp first", "no fronts", "link up only", "pm 4 menu")
OFFER_EN = ("available", "in stock", "ready", "for sale", "4sale", "restocked", "just landed", "on deck",
            "taking orders", "selling", "got", "fresh batch of", "plenty of")
QTY_EN = ("1g", "3.5g", "an 8th", "a zip", "a qp", "half o", "10 pills", "5 tabs", "28g", "2g", "an oz")
PRICE_EN = ("$40", "$60", "$120", "50 bucks", "$20 each", "200", "£30", "€50", "80", "10 a pop",
            "25 each", "20 per pill", "5 for 100", "30 a g")
EXTRA_EN = ("delivery tonight", "discreet shipping", "meet up only", "cash or cashapp", "no lowballs",
            "serious buyers", "same day drop off", "worldwide stealth", "local only", "fast replies")
CONTACT_JA = ("DMください", "テレグラムで", "手押し", "シグナルで連絡", "ワイヤー{h}", "DMで", "リプください",
              "連絡はこちら", "テレグラ {h}", "ポテトで連絡", "気軽にDM", "詳細はプロフで", "カカオで",
              "シグナルまで", "テレで", "連絡待ってます", "まずはDM", "秘密厳守", "飛ばし携帯で連絡",
              "身バレなし", "先払いのみ", "テレグラムまで")
OFFER_JA = ("あります", "入荷しました", "在庫あり", "売ります", "譲ります", "販売中", "取り扱い中",
            "即日対応")
QTY_JA = ("1g", "0.5", "0.2g", "3g", "10錠", "5枚", "1本")
PRICE_JA = ("5000円", "1万円", "8000円", "2万", "3000円から")
EXTRA_JA = ("都内手渡し", "全国発送", "即日", "郵送可", "大阪エリア", "対面可", "匿名配送", "相談可")
EMOJI = ("🍃", "🔥", "💨", "🔌", "💎", "❄️", "💊", "📦", "🚚", "💰", "🍁", "🌲", "⛷️", "🐴", "")
# Disguised offers: a legal good's name, a nudge, and a dose-sized amount or a per-gram price.
COVER_EN = ("herbal tea", "plant food", "tea", "incense", "potpourri", "bath salts", "party favours",
            "room odouriser", "garden fertiliser", "sweets")
NUDGE_EN = ("😉", "iykyk", "don't ask", "you know what it is", "dont ask", "😏",
            "no script needed", "not what you think")
COVER_JA = ("ハーブティー", "観葉植物の乾燥葉", "お香", "バスソルト", "咳止めシロップ", "お野菜", "アロマ")
NUDGE_JA = ("分かる人向け", "効きます笑", "理由は聞かないで", "察して", "効き目◎",
            "普通のものではありません笑")

SALE_EN = (
    "{drug} {offer} {qty} {price} {contact}", "{offer} {drug} and {drug2}, {extra}, {contact}",
    "{drug} {emoji} {qty} for {price}, {contact}", "{contact} for {drug} {emoji} {extra}",
    "plug here {emoji} {drug} {qty} {price}", "{drug} {offer}. {extra}. {contact}",
    "who needs {drug}? {qty} {price} {contact}", "{offer} {drug} {emoji} {extra} {contact}",
    "{drug} {drug2} {drug3} {emoji} {contact}", "{qty} of {drug} {price}, {extra}",
    "selling '{cover}' {nudge} {qty} {price}, {contact}", "{cover} {nudge} {gprice} a bag, {extra}",
    "{drug} {emoji} {gprice}/g, {drug2} {gprice2}/g, {contact}", "{emoji} 1g={gprice} {extra} {contact}",
    # Regional phrasing: openers, areas and money of the UK, Ireland, Australia, South Africa,
    # India and Nigeria, and dark-web vendor listings.
    "{greet}, got {drug} in, {rprice}, {contact}, {area} only",
    "{greet} {drug} and {drug2} sorted for the weekend, {rprice}, {contact}",
    "{drug} in {area} this arvo, {rprice}, can drop round, {contact}",
    "vendor shop open: {drug}, {drug2}, {drug3}, {vendor}, {contact}",
    # Letter codes in context, emoji menus, "snap: name" contacts (repeat buyers: lexicon only).
    "G in stock {ml} w/ dropper, {extra}, {contact}",
    "G {ml} bottles {price}, {extra}, {contact}",
    "{dmenu} for the weekend, bundle deals, {contact} to reserve",
    "{drug} and {drug2} {offer}, {extra} {emoji} {mcontact}",
)
TALK_EN = (
    "smoked {drug} last night and felt weird", "my brother is addicted to {drug}, any advice",
    "police found {drug} in a car on the highway", "{drug} overdoses are rising in our city",
    "is {drug} legal in canada", "documentary about {drug} smuggling was intense",
    "tried {drug} at a party once, never again", "{drug} ruined my twenties, 3 years clean now",
    "the court sentenced him for selling {drug}", "school had an assembly about {drug}",
    "why do people still take {drug}", "study says {drug} use is down among teens",
    # Sale words in talk that is not an offer: news, arrests, recovery, questions.
    "my cousin got busted with {drug} last week", "he got caught selling {drug} and got 5 years",
    "struggling to quit {drug}, dm me if you have been through it", "got clean off {drug} two years ago",
    "news says {drug} prices on the street are dropping",
    "dealers now sell {drug} over telegram, police warn",
    "is {drug} available on prescription anywhere", "how much {drug} is a lethal dose? asking for a class",
    "my ex used to deliver {drug} for a gang, scary times", "they seized 40kg of {drug} at the port",
    # Doses and trade words in talk: experiences, fiction, searches, buyers asking.
    "took 10mg of {drug} and got so anxious lol", "first time on {drug}, is 2g too much?",
    "the actor playing a {drug} dealer is way too convincing",
    "searched {drug} on telegram and it's all scams",
    "anyone know where to get {drug} around here? asking seriously", "who has {drug}? need some by friday",
    "police say the dealer sold {drug} for $20 a bag from his car",
    "my friend got {drug} delivered, is that normal",
    # Buyers asking, harm-reduction warnings, scam stories, news quoting a dealer's post.
    "anyone in town got a plug? need some {drug} for the weekend, dm me", "who's selling {drug} near campus?",
    "PSA: {drug} going round testing positive for fentanyl, carry naloxone, never use alone",
    "got scammed by a telegram plug, paid $150 for {drug} and never got anything",
    "police said he advertised {drug} with posts reading 'dm for prices, same day drop'",
)
BENIGN_EN = (
    "selling my old {item}, {price}, {contact}", "{item} for sale, barely used, {contact}",
    "ice cream after school 🍦", "snow day tomorrow ❄️ no school", "gas prices went up again",
    "need to weed the garden before the rain", "my bud and i are going fishing", "grass needs cutting",
    "crystal clear water at the beach", "rock concert tonight 🔥 {contact} for spare tickets",
    "the delivery is late again", "i need ice for the party, 2 bags", "flower shop has a sale on roses",
    "{item} available, pick up only, {price}", "fresh batch of cookies {emoji} {contact} to order",
    "diet coke and fries please", "420 error on the server again", "bars downtown are packed tonight",
    "green tea in stock again at the shop", "taking orders for custom cakes, {contact}",
    "got tickets for the game, {price} each, {contact}", "vitamin pills every morning",
    "hit me up if you want to play ball", "{item} in stock, free shipping over $35",
    "glass of wine and a good book", "pot roast for dinner tonight", "snowboard {price}, {contact}",
    "{item} {offer} {price} {contact}", "{offer} {item}, {extra}, {contact}",
    "{item} {emoji} {price}, {extra}",
    "{amb} for sale, {contact}", "{offer} {amb}, {price}, {contact}", "{amb} {emoji} {extra}, {contact}",
    "handmade {amb}, {contact} for prices", "{amb} in stock, {extra}",
    # Slang praise in promotion: "straight gas", "pure fire" about music and clothes.
    "this new {media} is straight gas 🔥 {contact}", "{media} out now, pure fire, link in bio",
    "book club thursday, same as last time, usual spot, {contact}",
)
MEDIA_EN = ("mixtape", "track", "album", "beat tape", "drop", "hoodie line", "ep")
# Goods whose names hold a drug slang word: sold with the same cues as drugs, but benign.
AMBIG_ITEMS_EN = ("crystal vase", "crystal earrings", "snow tires", "snow boots", "ice maker", "ice skates",
                  "blow dryer", "leaf blower", "gas grill", "grass seed", "flower pots", "pot holders",
                  "herb planters", "green tea", "candy jars", "rock salt", "white sneakers", "bud vases",
                  "tree saplings", "glass bottles", "powder coating", "bar stools", "crystal healing kit",
                  "kush ball craft kit", "pill organizer", "molly dolls", "line dance lessons", "gelato cups",
                  "pots and pans", "pot lids", "stock pots", "mushroom risotto kits")
AMBIG_ITEMS_JA = ("野菜の詰め合わせ", "新鮮な野菜", "草花の苗", "アイスクリーム", "白いスニーカー",
                  "ハーブの苗", "氷", "チョコの詰め合わせ", "雪見だいふく", "クリスタルガラス", "粉ミルク",
                  "ラムネ菓子", "キノコの原木")
ITEMS_EN = ("bike", "iphone", "couch", "ps5", "textbooks", "sneakers", "guitar", "camera", "desk",
            "tickets", "jacket", "laptop", "puppy toys", "candles")
SALE_JA = (
    "{drug}{offer} {qty} {price} {contact}", "{drug}{emoji} {extra} {contact}",
    "{extra} {drug} {qty}から {contact}", "{drug}と{drug2}{offer}、{extra}、{contact}",
    "{contact} {drug}{emoji} {price}", "{drug}{offer}。{extra}。{contact}",
    "良質な{drug}{offer} {contact}", "{drug} {qty} {price} {extra}",
    "{cover} {nudge} {qty} {price} {contact}", "【譲ります】{cover} {qty} {price} {nudge} {extra}",
    # 文脈つきの一文字の隠語 (G = GHB, S = 覚醒剤)。
    "G(液体) 小瓶 {extra} {contact}", "G {ml} {price} {contact}", "S{offer}。{sqty}から。{contact}",
)
TALK_JA = (
    "{drug}の所持で逮捕されたらしい", "{drug}の依存症について調べている",
    "ニュースで{drug}の密輸をやっていた",
    "{drug}は絶対にだめ", "{drug}の合法化について議論がある", "友達が{drug}をやめられない",
    "{drug}の乱用防止の講演があった", "海外では{drug}が問題になっている",
    "{drug}の売人が逮捕されたニュースを見た", "{drug}をやめて2年たった", "{drug}の値段が上がっているらしい",
    "SNSで{drug}を売る手口が増えていると警察が注意", "{drug}のことで相談窓口に連絡した",
    "{drug}で捕まった人のドキュメンタリー", "港で{drug}が大量に押収された",
    "昔{drug}を手渡しで買っていた知人が捕まった",
    # 量や取引の言葉が出てくる話: 報道、ドラマ、検索、買いたい人の質問。
    "{drug}約10グラムを押収、容疑者を逮捕", "{drug}を1g5000円で売った疑いで売人を逮捕",
    "ドラマで{drug}の売人役の俳優の演技がリアル", "Xで{drug}って検索したら怪しいアカウントばかり",
    "{drug}ってどこで手に入るの?", "誰か{drug}持ってない?", "{drug}0.5gでどれくらい効くのか気になる",
    "手押しって検索したら怖い投稿ばかり出てきた",
    "{drug}やってる人いませんか? DM待ってます", "{drug}売ってる人いない?",
    "手押しのアカウント詐欺ばっか 先払いで飛ばれた",
    "「{drug}あります」と投稿して販売した疑いで逮捕", "{drug}の過剰摂取が心配な人は相談窓口へ",
)
BENIGN_JA = (
    "スーパーで野菜を買った", "アイス食べたい🍦", "雪が降ってきた❄️", "草むしりしないと",
    "{item}売ります、{price}、{contact}", "{item}譲ります、手渡し可能、DMください",
    "新鮮な野菜あります、直売所で",
    "チョコレートケーキ作った", "冷たいの飲みたい", "コーラとポテトください", "スピード違反で捕まった",
    "{item}在庫あり、全国発送します", "野菜たっぷりのスープ", "アイスコーヒーが好き", "草生える w",
    "ハーブティー入荷しました", "{item}の出品しました、{contact}", "今日は雪で電車が遅れた",
    "この{item} 在庫あり 即日発送 {contact}", "{item} {price} {extra} {contact}",
    "{item}入荷しました {emoji} {contact}",
    "{item}あります、{price}から、{contact}", "手作り{item}販売中 {extra}",
    "{amb}販売中、{extra}、{contact}", "{amb}あります、{price}、{contact}",
    "{amb}入荷しました {emoji} {contact}",
    "明日の部活、いつもの場所に集合ね。{contact}", "前回と同じ店でランチしよう、いつもの場所で12時",
)
ITEMS_JA = ("自転車", "スマホ", "ソファ", "チケット", "教科書", "スニーカー", "ギター", "カメラ", "服",
            "ゲーム機")
GREET_EN = ("awright", "howzit", "g'day", "oi", "wagwan", "bro", "fam", "sup", "yer man says", "heya")
AREA_EN = ("east end", "north side", "durban", "joburg", "bandra", "glasgow", "dublin 8", "brisbane",
           "south london", "lagos island", "mitchells plain", "leeds", "goa", "cork")
REGION_PRICE_EN = ("R200 a bankie", "₹3000 a gram", "1800/-", "N7000", "a tenner each", "£20 a bag",
                   "R400", "₦10k", "a fiver a pop", "Rs 1500")
VENDOR_EN = ("escrow only", "fe for trusted buyers", "reship if seized", "uk2uk stealth", "pgp in bio",
             "tracked and stealthy", "us2us, free reship")
# Emoji menus: pairs of drug emoji standing for the goods ("🍄🍫" mushroom chocolate, "🌈📄" blotter).
MENU_EMOJI = ("🍄🍫", "🌈📄", "💊🐬", "❄️❄️", "🍃🍃", "💊💊", "💎💎", "🐴🐴", "🍁🔥")
GRAM_PRICES = ("$10", "$15", "£10", "£70", "$80", "€60", "$25")
# Handles in sale offers only; benign posts get ordinary sellers' handles.
HANDLES = ("snowline", "greenbox", "plug_44", "mr_fresh", "cloud9x", "tokyo_leaf", "ace_supply", "kuro")
BENIGN_EMOJI = cc.BENIGN_EMOJI
# Share of benign posts drawn from the commerce families.
COMMERCE_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class GenPost:
    """One generated post."""

    text: str
    lang: str
    label: str
    kind: str  # the obfuscation applied, or "none"


def _handle(rng: random.Random, benign: bool) -> str:
    return rng.choice(cc.HANDLES_BENIGN if benign else HANDLES) + str(rng.randint(1, 99))


def _fill(template: str, rng: random.Random, lang: str, label: str) -> tuple[str, str | None, str | None]:
    """Fill one template; returns the text, the planted drug word and its category."""
    en, benign = lang == "en", label == BENIGN
    drugs = DRUGS_EN if en else DRUGS_JA
    category = rng.choice(list(drugs))
    words = rng.sample(drugs[category], min(3, len(drugs[category])))
    h = _handle(rng, benign)
    phone = "555-01" + str(rng.randint(10, 99))
    if benign:
        contacts = cc.CONTACT_EN if en else cc.CONTACT_JA
    else:
        contacts = CONTACT_EN if en else CONTACT_JA
    contact = rng.choice(contacts).format(h=h, n=phone)
    goods = rng.sample(cc.GOODS_EN if en else cc.GOODS_JA, 2)
    commerce = template in (cc.TEMPLATES_EN if en else cc.TEMPLATES_JA)
    offers, prices, extras = ((cc.OFFER_EN, cc.PRICE_EN, cc.EXTRA_EN) if en else
                              (cc.OFFER_JA, cc.PRICE_JA, cc.EXTRA_JA)) if commerce else (
        (OFFER_EN, PRICE_EN, EXTRA_EN) if en else (OFFER_JA, PRICE_JA, EXTRA_JA))
    slots = {
        "drug": words[0], "drug2": words[1 % len(words)], "drug3": words[2 % len(words)], "contact": contact,
        "offer": rng.choice(offers),
        "qty": rng.choice(QTY_EN if en else QTY_JA),
        "price": rng.choice(prices),
        "extra": rng.choice(extras),
        "emoji": rng.choice(BENIGN_EMOJI if benign else EMOJI), "bemoji": rng.choice(BENIGN_EMOJI),
        "item": rng.choice(ITEMS_EN if en else ITEMS_JA),
        "amb": rng.choice(AMBIG_ITEMS_EN if en else AMBIG_ITEMS_JA),
        "good": goods[0], "good2": goods[1],
        "cover": rng.choice(COVER_EN if en else COVER_JA), "nudge": rng.choice(NUDGE_EN if en else NUDGE_JA),
        "greet": rng.choice(GREET_EN), "area": rng.choice(AREA_EN), "rprice": rng.choice(REGION_PRICE_EN),
        "vendor": rng.choice(VENDOR_EN),
        "gprice": rng.choice(GRAM_PRICES), "gprice2": rng.choice(GRAM_PRICES), "media": rng.choice(MEDIA_EN),
        "service": rng.choice(cc.SERVICES_EN if en else cc.SERVICES_JA),
        "pet": rng.choice(cc.PETS if en else cc.PETS_JA), "pet_kind": rng.choice(cc.PET_KINDS_EN),
        "wgood": rng.choice(cc.WEIGHED_EN if en else cc.WEIGHED_JA),
        "wqty": rng.choice(cc.WEIGHED_QTY_EN if en else cc.WEIGHED_QTY_JA),
        "wcontact": rng.choice(cc.WEIGHED_CONTACT_EN if en else cc.WEIGHED_CONTACT_JA).format(n=phone),
        "egood": rng.choice(cc.ELECTRONICS_EN if en else cc.ELECTRONICS_JA),
        "ml": rng.choice(("10ml", "30ml", "100ml", "500ml", "1 litre")),
        "sqty": rng.choice(("0.2", "0.5", "0.3g", "1g")),
        "mcontact": rng.choice(("snap", "tg", "wickr", "signal", "kik")) + ": " + h,
        "dmenu": " + ".join(rng.sample(MENU_EMOJI, 3)),
        "coffee": rng.choice(cc.COFFEE_EN), "kicks": rng.choice(cc.SNEAKERS_EN),
    }
    text = " ".join(template.format(**slots).split())
    return text, (words[0] if "{drug}" in template else None), category


def generate(n: int, *, seed: int = 0, obfuscated_share: float = 0.5) -> list[GenPost]:
    """``n`` labelled posts, EN and JA in a 3:2 mix, about 35 % sale offers and 20 % drug talk.

    Half of the benign posts come from the commerce families (:data:`COMMERCE_SHARE`).
    """
    rng = random.Random(seed)
    out: list[GenPost] = []
    for _ in range(n):
        lang = "en" if rng.random() < 0.6 else "ja"
        r = rng.random()
        label = SALE if r < 0.35 else TALK if r < 0.55 else BENIGN
        pool = {("en", SALE): SALE_EN, ("en", TALK): TALK_EN, ("en", BENIGN): BENIGN_EN,
                ("ja", SALE): SALE_JA, ("ja", TALK): TALK_JA, ("ja", BENIGN): BENIGN_JA}[(lang, label)]
        if label == BENIGN and rng.random() < COMMERCE_SHARE:
            pool = cc.TEMPLATES_EN if lang == "en" else cc.TEMPLATES_JA
        text, target, category = _fill(rng.choice(pool), rng, lang, label)
        kind = "none"
        if rng.random() < obfuscated_share:
            # Emoji stand in for a drug word only: without one they would plant drug emoji
            # into a benign post.
            kind = rng.choice([k for k in KINDS if applicable(k, lang) and (k != "emoji" or target)])
            text = obfuscate(text, kind, rng, target=target, category=category)
        out.append(GenPost(text, lang, label, kind))
    return out
