"""Context words of the drug-post screen: lawful commerce and talk (news, warnings, use).

Kept apart from :mod:`analytics.drug.lexicon` (which imports them) so that neither module
grows past a readable size. Both are ``|``-separated terms, folded as post text is.
"""

from __future__ import annotations

# Legal-commerce context: words that say the goods on offer are produce, sweets, tea,
# cosmetics, tickets or second-hand things. With one of these in the post, an ambiguous
# drug word ("野菜", "ハーブ", "powder") is read in its ordinary sense unless drug-trade
# evidence backs it (a strong drug term, a trade cue, a dose-sized quantity): a contact
# cue alone ("DMで予約", "dm for wholesale") is how every small seller writes.
GOODS_CONTEXT_EN = (
    "cafe|bakery|bakes|baked|homemade|handmade|home made|organic|farm|farmers|farm stand|market|stall|"
    "shop|store|boutique|café|cafés|caff|takeaway|order ahead|"
    "wholesale|catering|smoothie|smoothies|matcha|tea|teas|coffee|latte|cake|cakes|"
    "cookies|cupcakes|brownies|pastries|bread|loaves|jam|honey|produce|vegetables|veggies|fruit|"
    "tomatoes|apples|berries|strawberries|seedlings|seeds|plants|bouquet|bouquets|florist|gift|gifts|"
    "gift box|hamper|candles|soap|skincare|lotion|serum|lipstick|perfume|makeup|cosmetics|tickets|"
    "concert|seats|preloved|pre-loved|secondhand|second hand|used|like new|mint condition|barely used|"
    "brand new|vintage|thrift|listing|etsy|preorder|preorders|pre-order|reservation|reserve|booking|"
    "recipe|flavors|flavours|lunch|dinner|breakfast|kitchen|restaurant|grocery|groceries|garden|"
    "nursery|plant sale|bake sale|yard sale|garage sale|per lb|/lb|dozen|set of|supplies|party supplies|"
    "wine|glasses|dishes|furniture|clothes|shoes|sneakers|hoodies|merch|jewelry|earrings|toys|books|"
    "craft|crafts|decor|kit|kits|grow kit|course|class|classes|lessons|tutoring|tour|tours|cabs|taxi|"
    "rides|reading|workshop|fundraiser|charity|proceeds|school trip|backyard|paper|printer|"
    "snowboard|ski|jacket|wear|"
    # sweets, gemstones, music and digital goods, garden supplies, food trucks
    "sweets|pick n mix|pick and mix|lollies|lollipops|confectionery|toffee|marshmallows|sweet shop|"
    "candy shop|candy store|rock candy|cotton candy|quartz|amethyst|gemstone|gemstones|geode|geodes|"
    "tumbled|citrine|obsidian|agate|minerals|healing crystals|bracelet|bracelets|necklace|necklaces|"
    "pendant|beads|mixtape|mixtapes|album|albums|new single|song|songs|beat tape|playlist|spotify|"
    "soundcloud|youtube|guitar|ukulele|piano|sheet music|pdf|ebook|e-book|digital download|printable|"
    "presets|art prints|commissions|podcast|turf|sod|lawn|mulch|compost|topsoil|top soil|firewood|"
    "gravel|landscaping|potting mix|food truck|ice cream truck|ice cream van|dry ice|bagged ice|cbd|hemp|"
    # products whose own name is a drug word's ordinary sense
    "bath salts|bath bombs|spices|spice blend|spice rack|cream chargers|whipped cream|"
    # nicotine vape shops
    "nicotine|nicotine free|e-liquid|eliquid|e-juice|ejuice|vape juice|vape shop|nic salts|nic salt|"
    # services: snow and yard work, music production, photography
    "snow removal|snow clearing|snow plowing|snow ploughing|driveway|driveways|lawn care|gutters|"
    "landscaper|handyman|cleaning service|beats|instrumentals|beat lease|lease|leases|producer|"
    "mixing|mastering|recording studio|photography|photoshoot|headshots|"
    # sweets for children's parties, pharmacies' weekly specials
    "lolly|lolly bags|party bags|kids party|kids parties|birthday party|pharmacy|chemist|drugstore|"
    # lost and found notices: a name ("Charlie", "Molly") is a pet's
    "lost cat|lost dog|lost pet|lost our|missing cat|missing dog|missing pet|microchipped|reward|"
    # second-hand electronics and chargers; bullion and coins; music promotion; goods sold by weight
    "gaming pc|gaming rig|pc build|gpu|graphics card|laptop|monitor|console|charger|chargers|usb-c|"
    "usb|cable|cables|power bank|adapter|bullion|gold|silver|coins|troy oz|spot price|over spot|"
    "beat|track|the tape|full tape|new ep|ep|single|spice|vanilla beans|cardamom|loose leaf|"
    "drinks|soda|lemonade|juice|vending machine|"
    # online shops' promotions: a discount code is no dealer's
    "use code|promo code|discount code|coupon|coupon code|free shipping on|"
    # coffee roasters ("the beans are in ☕, light roast") and sneaker resellers ("plug for Jordans")
    "☕|roast|roasted|roaster|roastery|light roast|medium roast|dark roast|espresso|single origin|"
    "whole bean|ground to order|pour over|jordans|dunks|yeezys|kicks|ds sizes|deadstock|"
    # second-hand sport nutrition and spices by the gram: "2kg tub of whey, unopened", "saffron"
    "whey|protein powder|protein|casein|pre-workout|preworkout|creatine|mass gainer|supplements|tub|tubs|"
    "unopened|servings|flavour|flavor|wrong flavour|wrong flavor|saffron|spice shop|"
    # resin and craft supplies, aquarium livestock
    "epoxy|resin kits|resin art|mica|mica powder|pigment|pigments|colours|colors|glitter|"
    "shrimp|aquarium|fish tank|guppies|snails|aquatic plants|"
    # houseplants, craft and cosmetic supplies in baggies, food powders by the gram
    "houseplant|houseplants|house plant|house plants|monstera|pothos|succulent|succulents|cactus|cacti|"
    "bonsai|fiddle leaf|repotted|cuttings|glitters|loose glitter|chunky glitter|nail art|sequins|"
    "seed beads|confetti|rhinestones|embossing powder|baking|bakers|vanilla|cocoa|cacao|matcha powder|"
    "superfood|smoothie powder|no fillers|pantry")
GOODS_CONTEXT_JA = (
    "予約|直売|農園|農家|産直|朝採り|朝どれ|採れたて|とれたて|無農薬|有機|詰め合わせ|ギフト|贈り物|"
    "お歳暮|お中元|手作り|手づくり|焼き菓子|ケーキ|クッキー|パン|スイーツ|和菓子|ティー|紅茶|緑茶|"
    "抹茶|コーヒー|茶葉|お店|店舗|店頭|カフェ|営業|定休日|送料無料|送料込み|通販|ショップ|美品|中古|"
    "新品|未使用|未開封|出品|フリマ|古着|化粧水|美容液|コスメ|香水|石けん|石鹸|乳液|チケット|公演|"
    "ライブ|座席|苗|鉢植え|花束|ブーケ|果物|フルーツ|いちご|トマト|みかん|りんご|お米|新米|産地|収穫|"
    "朝市|マルシェ|キロ|kg|箱|袋入り|レシピ|料理|お菓子|ジャム|はちみつ|シロップ|寄せ植え|鉢|園芸|雑貨|"
    "食器|グラス|家具|洋服|靴|おもちゃ|絵本|セット|ハンドメイド|ツアー|参加者|募集|申込|教室|講座|"
    "イベント|出店|アート|しおり|押し花|用紙|コピー用紙|事務所|ウェア|スノーボード|キノコ狩り|きのこ狩り|"
    "菓子|天然石|パワーストーン|水晶|アメジスト|鉱物|ブレスレット|ネックレス|アクセサリー|ピアス|和紙|"
    "ハガキ|はがき|便箋|封筒|文具|文房具|ポストカード|手漉き|移動販売|キッチンカー|屋台|芝生|腐葉土|"
    "培養土|薪|砂利|楽譜|アルバム|新曲|音源|CBD|ヘンプ|バスソルト|入浴剤|バスボム|"
    "電子タバコ|ニコチン|フレーバー|ベイプ|VAPE|"
    # ice-cream shops, product photography and other services, drugstores' weekly specials
    "ジェラート|ソフトクリーム|テイクアウト|商品撮影|撮影|スタジオ|ドラッグストア|薬局|特売|風邪薬|目薬|"
    # drinks and vending machines; chargers and electronics; goods sold by weight; bullion
    "自販機|自動販売機|ジュース|飲み物|ドリンク|缶|麦茶|ビール|充電器|ケーブル|モバイルバッテリー|家電|"
    "量り売り|スパイス|金貨|銀貨|地金|クーポン|割引コード|クーポンコード|"
    # dry ice by the trade, sport nutrition, a kitchen garden's give-away, clothes by the size
    "ドライアイス|業務用|お見積もり|見積もり|ホエイ|プロテイン|サプリ|家庭菜園|おすそ分け|おすそわけ|"
    "tシャツ|Tシャツ|パーカー|サイズ|"
    # restaurants' all-you-can-eat menus, houseplants
    "食べ放題|飲み放題|ドリンクバー|ランチ|ディナー|居酒屋|焼肉|デザート|定食|寿司|鮨|お食事|"
    "観葉植物|植え替え|モンステラ|多肉植物|多肉|サボテン|盆栽|ポトス|パキラ|ガジュマル|インテリアグリーン")
# Snow as weather: beside these a snow word or emoji (雪, ❄️, 白いの, "snow") is the weather.
WEATHER_CONTEXT = (
    "積もって|積もった|積もる|積雪|大雪|初雪|吹雪|雪かき|雪だるま|雪合戦|銀世界|一面真っ白|降ってる|降ってきた|"
    "天気予報|寒波|snow day|snow days|snowfall|snowed|snowing|snowman|snowmen|blizzard|sledding|sledging|"
    "snowball fight|inches of snow|school is closed|schools closed")
# How to order, not what: goods context that names no goods. Beside an emoji menu with a
# strong cue ("🍄🍫 + 💊🐬, DM to reserve") it does not make the emoji ordinary goods.
PROCESS_CONTEXT = "preorder|preorders|pre-order|reservation|reserve|booking|予約"
# Reporting and fiction: words a dealer's own offer does not use.
TALK_CONTEXT = (
    "arrested|arrest|seized|seizure|charged with|sentenced|indicted|convicted|pleaded guilty|"
    "police say|police said|police warn|prosecutors|the court|"
    # court and crime reports: "jailed for six years", "court hears", "officers found"
    "jailed|jailed for|court hears|court heard|court told|told the court|crown court|magistrates|"
    "police found|officers found|detectives|prosecutor|prosecution|defendant|the jury|found guilty|"
    "possession with intent|years in prison|behind bars|in custody|remanded|was caught with|"
    "news report|documentary|the actor|"
    "in the movie|in the show|episode|searched for|i searched|searched|news says|"
    "逮捕|容疑|押収|送検|起訴|判決|有罪|懲役|疑いで|警察によると|ニュース|報道|ドラマ|映画|役の|売人役|"
    "検索したら|検索すると|"
    # harm reduction and warnings about scam sellers
    "naloxone|narcan|test your stuff|test your drugs|test your pills|test your gear|never use alone|"
    "harm reduction|drug checking|pill testing|testing positive for|got scammed|been scammed|scammed me|"
    "相談窓口|依存症|ダルク|薬物依存|乱用防止|詐欺ばっか|詐欺ばかり|詐欺られ|飛ばれた|詐欺に遭|詐欺にあ|"
    # one's own use and recovery: doses there are what was taken, not what is sold
    "i took|took like|first time on|first time trying|first time taking|how much should i|"
    "trip report|got so anxious|struggling to quit|trying to quit|got clean|years clean|months clean|"
    "days clean|in recovery|relapsed|どれくらい効く|効くのか|やってみた|吸ってみた|やめられ|"
    # warnings about police stings
    "sting operation|police sting|undercover cop|undercover cops|おとり|囮|"
    # commentary on what drugs cost, then or elsewhere: "it was £50 five years ago", 昔は3000で買えた
    "years ago|back in the day|used to cost|used to pay|people still pay|相場って|昔は|で買えた|"
    "詐欺多い|詐欺が多い|気をつけろ")
