"""Benign commerce families for the generated corpus: legal goods sold with a contact cue.

A contact cue ("dm me", "DMで予約") and an offer word ("in stock", "在庫あり") are not a
drug sale on their own: farm stands, home bakers, tea shops, cosmetics resellers, ticket
resellers and people clearing out a flat write exactly like that. These families teach
the n-gram model so, with many goods (some of whose names hold a drug slang word:
野菜, ハーブ, チョコ, アイス, "matcha powder", "rock candy") and many contact cues, none
of them dealer-specific (no encrypted messengers, no handles that read like a plug).
Written for this module, not taken from real posts or from the project's evaluation sets.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

GOODS_EN: tuple[str, ...] = (
    # produce and plants
    "heirloom tomatoes", "farm eggs", "sweet corn", "honeycrisp apples", "strawberries", "veggie boxes",
    "microgreens", "pumpkins", "raw honey", "herb seedlings", "succulents", "house plants",
    "flower bouquets", "tomato starts", "grass seed", "potted basil",
    # sweets and baking
    "brownies", "sugar cookies", "cupcakes", "macarons", "fudge", "chocolate truffles", "banana bread",
    "cinnamon rolls", "ice cream cakes", "rock candy", "sourdough loaves", "birthday cakes",
    "gummy bears", "candy apples", "pick n mix", "retro sweets",
    # gemstones, music and digital goods, garden supplies, ice, CBD and bath products
    "amethyst clusters", "quartz points", "healing crystals", "crystal bracelets", "guitar tabs",
    "beat packs", "sample packs", "turf rolls", "bark mulch", "firewood", "bagged ice", "dry ice",
    "cbd oil", "hemp soap", "bath salts", "party poppers", "lolly bags", "party bags",
    # nicotine vape shops
    "disposable vapes", "20mg nic salts", "e-liquid 10ml bottles", "vape pods", "nicotine pouches",
    # regional food sold the same way (South Africa, India, Nigeria, the UK)
    "biltong", "droëwors", "samosas", "jollof trays", "chin chin", "meat pies", "bunny chow", "party ice",
    # tea and coffee
    "herbal tea blends", "loose leaf green tea", "chamomile tea", "matcha powder", "coffee beans",
    "kombucha", "cold brew",
    # cosmetics
    "lip gloss", "face serum", "body butter", "bath bombs", "perfume samples", "nail polish",
    "soap bars", "setting powder", "sheet masks",
    # tickets
    "concert tickets", "two floor seats", "festival passes", "playoff tickets", "theatre tickets",
    # second-hand
    "winter coat", "stroller", "road bike", "vinyl records", "board games", "kids clothes",
    "mini fridge", "air fryer", "crystal glassware", "snowboard boots", "office chair", "baby monitor",
)
CONTACT_EN: tuple[str, ...] = (
    "dm me", "dm to order", "dm for details", "message me", "inbox me", "pm me", "text me", "text {n}",
    "call {n}", "email me", "link in bio", "order via the link in bio", "comment below", "whatsapp me",
    "hmu", "hit me up", "send me a message", "dms open", "reply here", "ping me", "reach out",
    "preorders by dm", "dm @{h}", "ask for the order form",
)
OFFER_EN: tuple[str, ...] = (
    "available", "in stock", "for sale", "restocked", "taking orders", "selling", "open for preorders",
    "back in stock", "just dropped", "limited batch", "ready today", "up for grabs",
)
PRICE_EN: tuple[str, ...] = (
    "$5", "$12 a box", "$25 each", "3 for $10", "$40 obo", "£8", "€15", "free to a good home", "$3/lb",
    "$60 for the pair", "half price", "$18", "R250/kg", "₹450", "N3500", "a tenner each", "250/-",
)
EXTRA_EN: tuple[str, ...] = (
    "local pickup", "shipping available", "porch pickup", "free delivery over $30", "cash or venmo",
    "first come first served", "this weekend only", "at the farmers market saturday",
    "gift wrapping available", "no holds", "ships nationwide", "pickup downtown", "ID required, 18+ only",
    "R50 a pack", "per kg", "whatsapp orders",
)
# Services sold with the same cues: yard and snow work, music production, photography, lessons.
SERVICES_EN: tuple[str, ...] = (
    "snow removal", "driveway clearing", "snow plowing", "lawn mowing", "gutter cleaning", "dog walking",
    "house cleaning", "beat leases", "mixing and mastering", "custom beats", "headshots", "product photos",
    "math tutoring", "guitar lessons", "moving help", "car detailing", "phone screen repair", "pet sitting",
)
# Lost-pet notices: pets are often named by a drug word's ordinary sense.
PETS: tuple[str, ...] = ("Charlie", "Molly", "Snowy", "Tina", "Bud", "Ginger", "Crystal", "Coco", "Candy")
PET_KINDS_EN: tuple[str, ...] = ("cat", "dog", "ginger cat", "black lab", "tabby", "terrier", "rabbit")
TEMPLATES_EN: tuple[str, ...] = (
    "{good} {offer}, {price}, {contact}", "{offer}: {good} {price}. {extra}. {contact}",
    "homemade {good} this week {bemoji} {contact} to reserve", "{good} {price}, {extra}, {contact}",
    "anyone want {good}? {price}, {contact}", "clearing out: {good}, {price}, {contact}",
    "{good} and {good2} {offer} {bemoji} {extra}", "our stall has {good} {price}, {contact} for orders",
    "{contact} if you want {good}, {extra}", "small batch {good} {offer}, {extra}, {contact}",
    "selling {good} {price} obo, {contact}", "{good} restock {bemoji} {price} {contact}",
    "{good} {offer} {extra} {contact}", "last few {good} left {bemoji} {contact}",
    "your local {good} plug 🔌 {good2} restocked, {price}, {extra}",
    "{service} {offer}, {price} per visit, {contact}", "{service} this week, {price}, {contact} to book",
    "booking {service} for the season {bemoji} {price}, {extra}, {contact}",
    "have you seen {pet}? lost our {pet_kind} near the park since monday, reward {price}, please {contact}",
    "missing {pet_kind} called {pet}, microchipped, {contact} if you spot her",
    # goods priced by weight, ordered over messengers too; electronics with the mains-plug emoji
    "{wgood} {wqty} {price}, {wcontact}", "{offer}: {wgood}, {wqty} for {price}, {extra}, {wcontact}",
    "{wgood} sold by weight {bemoji} samples {wqty} {price}. {wcontact}",
    "{egood} {offer} 🔌 {price}, {extra}, {contact}", "🔌 {egood} {price} each, {contact}",
    # coffee roasters, sneaker resellers, licensed dispensaries (lawful: 21+, ID, in store)
    "the beans are in ☕ {coffee}, light roast, 12oz bags {price}. ground to order, {contact} for shipping",
    "fresh roast {coffee} whole bean {price} a bag ☕ {extra}, {contact}",
    "your plug for {kicks} 🔌 restock drops friday 8pm. ds sizes 8-13, {contact}, no lowballs",
    "{kicks} restock 🔌 plug for all your {kicks}, {price}, {contact}",
    "licensed dispensary deals 🌿 pre-rolls {price}, 20% off flower. 21+ with valid id, in-store only",
    "state-licensed cannabis store: edibles and flower {price}, must be 21, valid id required, in-store only",
)
# Goods sold by the gram or ounce (tea, spices, bullion) and the messengers shops take orders on.
WEIGHED_EN: tuple[str, ...] = (
    "loose leaf oolong", "vanilla beans", "cardamom pods", "black peppercorns", "dried porcini", "sumac",
    "sea salt flakes", "cinnamon quills", "pu-erh", "first flush darjeeling", "gold bars", "silver coins",
    "silver bars", "bullion coins", "matcha tins", "dried chillies",
)
WEIGHED_QTY_EN: tuple[str, ...] = ("5g", "10g", "25g", "50g", "100g", "1oz", "2g samples", "half a kilo",
                                   "3.5g", "1 g")
WEIGHED_CONTACT_EN: tuple[str, ...] = (
    "telegram for orders", "order on whatsapp", "signal or whatsapp", "dm for wholesale",
    "email for the list",
    "whatsapp {n}", "message us on telegram", "order form in bio",
)
COFFEE_EN: tuple[str, ...] = ("ethiopian yirgacheffe", "colombian huila", "kenya aa", "guatemala antigua",
                              "sumatra mandheling", "house espresso blend", "decaf swiss water")
SNEAKERS_EN: tuple[str, ...] = ("jordans", "dunks", "yeezys", "jordan 4s", "new balance 550s", "air max")
ELECTRONICS_EN: tuple[str, ...] = (
    "usb-c chargers", "fast chargers", "power banks", "hdmi cables", "extension leads", "wall adapters",
    "used gaming laptop", "graphics card", "phone cases", "smart plugs",
)

GOODS_JA: tuple[str, ...] = (
    # produce and plants
    "トマト", "いちご", "みかん", "新米", "じゃがいも", "旬の野菜セット", "畑の野菜", "野菜ボックス",
    "無農薬野菜", "とうもろこし", "はちみつ", "ハーブの苗", "多肉植物", "草花の苗", "切り花",
    # sweets
    "手作りクッキー", "焼き菓子", "生チョコ", "チョコブラウニー", "和菓子", "シフォンケーキ",
    "アイスクリーム", "かき氷シロップ", "ラムネ菓子", "どら焼き", "チョコの詰め合わせ",
    # tea and coffee
    "ハーブティー", "紅茶の茶葉", "抹茶", "コーヒー豆", "ほうじ茶", "ハーブティーのティーバッグ",
    # cosmetics
    "化粧水", "リップ", "香水", "ハンドクリーム", "石けん", "美容液", "白いファンデーション",
    # tickets
    "ライブのチケット", "観戦チケット", "舞台のチケット", "フェスの通し券",
    # second-hand
    "中古の自転車", "ベビーカー", "古着", "本棚", "ゲームソフト", "クリスタルのグラス", "白いワンピース",
    "スノーボード", "ソファ",
    # 駄菓子, 天然石, 和紙, しゃぶしゃぶ, CBD, 入浴剤
    "駄菓子セット", "粉末ジュース", "天然石ブレスレット", "水晶さざれ", "和紙のハガキ", "しゃぶしゃぶ用の肉",
    "CBDオイル", "バスソルト", "移動販売のアイス",
    # ジェラート店, ドラッグストアの特売, 電子タバコ
    "ジェラート", "ピスタチオのアイス", "ソフトクリーム", "風邪薬", "目薬", "ニコチンゼロのリキッド",
)
SERVICES_JA: tuple[str, ...] = (
    "ブツ撮り", "商品撮影", "出張撮影", "雪かき代行", "家事代行", "草刈り", "ハウスクリーニング",
    "家庭教師", "ピアノのレッスン", "引っ越しの手伝い", "ペットシッター",
)
PETS_JA: tuple[str, ...] = ("チョコ", "ラムネ", "ココア", "ユキ", "アイス", "モモ", "クリスタル")
CONTACT_JA: tuple[str, ...] = (
    "DMください", "DMで予約", "DMまで", "DMへどうぞ", "お気軽にDM", "コメントください", "連絡ください",
    "LINEで注文受付", "プロフのリンクから", "ご予約はDMで", "メッセージください", "リプで受付",
    "お問い合わせはDM", "気軽に連絡を", "DMで相談", "まずはDMで",
)
OFFER_JA: tuple[str, ...] = (
    "販売中", "あります", "入荷しました", "在庫あり", "売ります", "譲ります", "予約受付中", "出品中",
    "再入荷", "数量限定", "お分けします", "取り扱い始めました",
)
PRICE_JA: tuple[str, ...] = (
    "500円", "1箱800円", "3個で1000円", "送料込み1500円", "格安", "お値打ち価格", "2000円から", "半額",
    "1袋300円", "5000円",
)
EXTRA_JA: tuple[str, ...] = (
    "全国発送", "手渡し可", "地元の方優先", "送料無料", "即日発送", "在庫わずか", "週末の朝市で",
    "ギフト包装可", "店頭受け取り可", "郵送可", "匿名配送", "都内手渡し",
)
TEMPLATES_JA: tuple[str, ...] = (
    "{good}{offer}、{price}、{contact}", "{good} {offer} {extra} {contact}",
    "{good}{offer}{bemoji} {price} {contact}", "今週は{good}があります、{extra}、{contact}",
    "{good}と{good2}{offer}、{extra}", "{contact} {good} {price} {extra}",
    "手作りの{good}{offer} {bemoji} {contact}", "{good}を{price}で{offer}、{contact}",
    "{extra}、{good}{offer}。{contact}", "{good} {price} {contact}",
    "うちの{good}{offer}、{extra}、{contact}", "{good}残りわずか{bemoji} {contact}",
    "{service}承ります {bemoji} {price}〜 {contact}", "{service} {offer} 1回{price} {extra}",
    "今週の特売 {good} {price} ポイント5倍", "{good} 新作入荷{bemoji} {price} テイクアウトOK",
    "迷子の猫を探しています、名前は{pet}です。見かけた方は{contact}",
    "{wgood} {wqty} {price} {wcontact}", "{wgood}を量り売り{bemoji} {wqty}{price}〜 {wcontact}",
    "{egood}{offer}🔌 {price} {extra} {contact}", "🔌{egood} {price} {contact}",
)
WEIGHED_JA: tuple[str, ...] = (
    "煎茶の茶葉", "ほうじ茶の茶葉", "烏龍茶", "カルダモン", "バニラビーンズ", "黒胡椒", "岩塩",
    "乾燥ポルチーニ",
    "金貨", "銀貨", "地金", "スパイス", "シナモン", "抹茶の缶", "抹茶 粉末", "抹茶パウダー",
)
WEIGHED_QTY_JA: tuple[str, ...] = ("10g", "20g", "50g", "100g", "1オンス", "5g", "3g")
WEIGHED_CONTACT_JA: tuple[str, ...] = (
    "テレグラムでも注文受付", "LINEで注文", "WhatsAppでも可", "DMで卸の相談", "メールで注文",
    "シグナルでも受付",
)
ELECTRONICS_JA: tuple[str, ...] = (
    "急速充電器", "モバイルバッテリー", "USBケーブル", "ACアダプター", "中古のゲーミングPC", "延長コード",
    "スマートプラグ",
)

BENIGN_EMOJI: tuple[str, ...] = ("🍅", "🍓", "🍪", "🎂", "☕", "🍵", "💄", "🎫", "🌷", "✨", "🛒", "😊", "")
HANDLES_BENIGN: tuple[str, ...] = (
    "hanako_bakes", "riverside_farm", "lena_makes", "tomo_vintage", "bluebird_tea", "nori_closet",
    "sam_resells", "the_jam_jar", "kiko_garden", "mika_cosme",
)
