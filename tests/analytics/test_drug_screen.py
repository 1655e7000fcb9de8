"""drug_post_screen: lexicon screen, labelled fixture set (tune vs held-out), skill input checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from analytics._batch import decode_upload
from analytics.drug.screen import BENIGN, SALE, TALK, screen
from analytics.drug_post_screen import SKILL, DrugPostScreenInput, DrugPostScreenOutput
from analytics.errors import SkillError

POSTS = Path(__file__).resolve().parents[2] / "fixtures" / "skills" / "drug_posts.jsonl"


def _rows() -> list[dict[str, str]]:
    return [json.loads(line) for line in POSTS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _precision_recall(rows: list[dict[str, str]]) -> tuple[float, float]:
    tp = fp = fn = 0
    for r in rows:
        predicted = screen(r["text"]).label == SALE
        actual = r["label"] == SALE
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


@pytest.mark.parametrize(
    "text,label",
    [
        ("fresh w33d 🍃 $40 an 8th, DM me 🔌", SALE),
        ("野菜 1g 5000円 手押し 都内 テレグラム", SALE),
        ("アイス 0.2g 即日 DMで", SALE),
        ("c.o.k.e available, hit me up on wickr", SALE),
        ("police seized 20kg of methamphetamine", TALK),
        ("i love ice cream on a hot day", BENIGN),
        ("need to weed the garden", BENIGN),
        ("snow day ❄️ no school", BENIGN),
        ("getting a 420 error from the api", BENIGN),
        ("スーパーで野菜を買った", BENIGN),
        ("アイス食べたい", BENIGN),
        ("selling my old bike, $40, dm me", BENIGN),
    ],
)
def test_screen_labels(text: str, label: str) -> None:
    assert screen(text).label == label


@pytest.mark.parametrize(
    "text,label",
    [
        # The reference slang list: pills by strength, regional and class names, trade jargon.
        ("oxy 80s and perc 30s, text me", SALE),
        ("fetty and blues 30s, cashapp first", SALE),
        ("pingers and mandy crystals for the weekend, number in my bio", SALE),
        ("etizolam 1mg sheets, telegram only", SALE),
        ("デパス 10錠 手押し 都内", SALE),
        ("molly 🔥 dmmmm for prices", SALE),  # a stretched sale cue
        ("my doctor gave me oxy 10s after surgery", TALK),  # a strength alone is not an offer
        # Its terms match exactly, never fuzzily ("concert" is one letter from "concerta"),
        # and an ordinary word beside a pill name is no strength ("blues 3 tickets").
        ("two concert tickets for saturday, message me", BENIGN),
        ("st louis blues tickets 3 for 100, dm", BENIGN),
        ("ice 🍨 cream cart for hire, dm for prices", BENIGN),  # emoji inside a benign context
        ("phentanyl and kokaine, hmu", SALE),  # phonetic spellings
        ("ケタミン 1g1.8万 手押し", SALE),  # a price without 円 next to a quantity
        ("Tina's bakery, fresh bread daily, dm to order", BENIGN),  # a name's possessive
        ("police seized 2kg of cocaine and arrested the dealer, who took orders on telegram", TALK),
        ("覚醒剤5グラムを所持した疑いで男を逮捕 売人とテレグラムで連絡", TALK),  # reported, not offered
    ],
)
def test_reference_slang_and_trade_patterns(text: str, label: str) -> None:
    assert screen(text).label == label


@pytest.mark.parametrize(
    "text,label",
    [
        # One sense per post: a word read in its ordinary sense once is read so throughout,
        # and the emoji of its class are decoration of that sense.
        ("snow cones and shaved ice 🧊 $3, ice by the bag, dm to book", BENIGN),
        ("🌲 christmas tree lot open, trees $45, delivery available, dm", BENIGN),
        ("ice 💎 3.5g $80 dm me", SALE),
        # One kanji ending a compound is part of that word (手紙, 小麦粉); alone it still counts.
        ("手紙セット 便箋と封筒 500円 郵送可", BENIGN),
        ("小麦粉 1袋 300円 DMで", BENIGN),
        ("紙 1枚5000 テレグラム", SALE),
        # More benign goods families: sweets, gemstones, music, garden supplies, food trucks, CBD.
        ("sour sweets mix 🍬 by the kilo, £6, dm to order", BENIGN),
        ("rose quartz and amethyst tumbled stones 💎 $5 each, dm", BENIGN),
        ("new album out now, pure gas 🔥 link in bio", BENIGN),
        ("firewood and mulch for sale, bulk rates, delivery, text me", BENIGN),
        ("パワーストーン ブレスレット 水晶 2500円 DMください💎", BENIGN),
        ("キッチンカーでアイス販売中 1個300円", BENIGN),
        ("hemp balm 🌿 THC free, in stock, dm for wholesale", BENIGN),
        ("CBDバーム THCフリー 🌿 在庫あり DMで", BENIGN),
        # "sneaker plug 🔌": a supplier of that good; the emoji after the word is the same cue.
        ("your sneaker plug 🔌 jordans restocked, $180, dm", BENIGN),
        ("the plug 🔌 is back, gas 3.5 for 40, dm", SALE),
        # Products whose name is a drug word's ordinary sense need trade evidence.
        ("bath salts and bath bombs, handmade, $8, dm", BENIGN),
        ("spice blends for sale, dm for prices", BENIGN),
        ("whippet puppies for sale, $800, dm", BENIGN),
        ("しゃぶしゃぶ定食 980円 予約はLINEで", BENIGN),
        ("シャブ 0.3 2万 テレ", SALE),
        # A nudge ("don't ask", "分かる人向け") backs an ambiguous word among commerce words.
        ("herbal tea 😉 don't ask, 🍄 $30 a bag, dm", SALE),
        ("homemade cookies 😉 $10 a dozen, dm", BENIGN),
    ],
)
def test_benign_senses_and_goods_contexts(text: str, label: str) -> None:
    assert screen(text).label == label


@pytest.mark.parametrize(
    "text,label",
    [
        # Buyers asking (no price, amount or handle named), harm reduction, scam stories,
        # one's own use: drug and trade words there are not an offer.
        ("anyone round here got a plug? need some bud for saturday, dm me", TALK),
        ("who's selling shrooms in austin? hmu", TALK),
        ("大阪で野菜売ってる人いませんか? DMください", TALK),
        ("carry narcan, fake m30s with fentanyl are going around, never use alone", TALK),
        ("got scammed by a telegram plug, sent $150 for xans and got nothing", TALK),
        ("テレグラムの手押しに詐欺られた 先払いしたのに連絡なし", TALK),
        ("struggling to quit xans, dm me if you have been through it", TALK),
        # A seller's rhetorical question names a price: still an offer.
        ("who got the best za? we do. 3.5 for $40, dm", SALE),
    ],
)
def test_talk_contexts(text: str, label: str) -> None:
    assert screen(text).label == label


def test_reported_posts_score_no_higher_than_bare_drug_talk() -> None:
    out = screen("police seized meth, cocaine, heroin and fentanyl pills from a dealer who sold on telegram")
    assert out.label == TALK and out.score <= screen("meth").score + 1e-9


@pytest.mark.parametrize(
    "text",
    [
        "poppers and whippits, same day delivery, dm",  # inhalants
        "k2 papers for inside, £30 a sheet, telegram @paper_x",  # synthetic cannabinoids
        "🌲 and ⛷ in stock, $10/g, $70/g, dm",  # emoji codes, prices per gram
        "🐴 £25/g, snap me",
        "ガンヂャ 1g 7000 テレで",  # ヂ for ジ
        "teoshi 渋谷 🍃 1g 8000",  # romanised 手押し
        "欲しい人は個チャで 🍃 1g 8000円",  # 個チャ: a private chat, as "DM"
        "🍃1g=8k 🚗 telegram",  # a price list is no leetspeak
    ],
)
def test_new_slang_classes_and_spellings(text: str) -> None:
    assert screen(text).label == SALE


def test_overlapping_cues_are_one_cue() -> None:
    out = screen("why is coke £80 a g now")
    assert [ev.text for ev in out.evidence if ev.kind == "intent"] == ["80 a g"]


def test_evidence_spans_point_into_the_original_post() -> None:
    text = "ＧＯＴ  ｃ０ｃａｉｎｅ ❄️ 1g 80, tg @snowline_x"
    out = screen(text)
    assert out.label == SALE and out.score > 0.9
    for ev in out.evidence:
        assert text[ev.start:ev.end] == ev.text
    kinds = {(ev.kind, ev.term) for ev in out.evidence}
    assert ("drug", "cocaine") in kinds and ("intent", "handle") in kinds and ("intent", "quantity") in kinds


def test_fixture_set_meets_the_brief() -> None:
    rows = _rows()
    assert len(rows) >= 300
    assert sum(r["label"] == BENIGN for r in rows) >= len(rows) / 2
    assert {r["lang"] for r in rows} == {"en", "ja"}
    assert {r["split"] for r in rows} == {"tune", "heldout"}
    # Variants of one base post never straddle the split.
    base_split = {r["id"][:6]: r["split"] for r in rows if r["variant"] == "base"}
    assert all(base_split[r["id"][:6]] == r["split"] for r in rows)


def test_every_fixture_span_matches_its_post() -> None:
    for r in _rows():
        for ev in screen(r["text"]).evidence:
            assert r["text"][ev.start:ev.end] == ev.text, r["id"]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_heldout_precision_and_recall(lang: str) -> None:
    held = [r for r in _rows() if r["split"] == "heldout" and r["lang"] == lang]
    precision, recall = _precision_recall(held)
    # Measured 0.88/1.00 (en) and 1.00/1.00 (ja); the floors leave room for lexicon edits.
    assert precision >= 0.8 and recall >= 0.85


def test_skill_screens_csv_and_sorts_by_score() -> None:
    csv = ("id,text\np1,ice cream social at 3\n"
           "p2,\"ice 0.5g, delivery tonight, telegram\"\np3,大麻の合法化について\n")
    out = SKILL.run(DrugPostScreenInput(csv=csv))
    assert isinstance(out, DrugPostScreenOutput)
    assert [r.id for r in out.results][0] == "p2"
    assert {r.id: r.label for r in out.results} == {"p1": BENIGN, "p2": SALE, "p3": TALK}
    assert out.counts == {SALE: 1, TALK: 1, BENIGN: 1} and out.embeddings_used is False
    assert SKILL.from_text("screen this post: weed 4 sale dm me") is not None
    assert SKILL.from_text("run plate 7XYZ456") is None


@pytest.mark.parametrize(
    "payload,code,status",
    [
        ({"posts": []}, "empty_batch", 422),
        ({"csv": "id,text\n"}, "empty_batch", 422),
        ({"csv": 'id,text\n1,"unterminated\n'}, "bad_csv", 422),
        ({"csv": "id,text\n1,a,b\n"}, "bad_csv", 422),
        ({"csv": "id,body\n1,hi\n"}, "bad_csv", 422),
        ({"csv": "id,text\n" + "1,x\n" * (6 << 20)}, "payload_too_large", 413),
        ({"posts": [{"text": "a"}], "csv": "id,text\n1,a\n"}, "bad_input", 422),
    ],
)
def test_bad_inputs_get_clear_errors(payload: dict[str, object], code: str, status: int) -> None:
    with pytest.raises(SkillError) as err:
        SKILL.run(DrugPostScreenInput.model_validate(payload))
    assert err.value.code == code and err.value.http_status == status
    assert err.value.message


def test_non_utf8_text_is_refused() -> None:
    # A lone surrogate (what undecodable bytes become) fails validation: FastAPI answers 422.
    with pytest.raises(ValidationError, match="unicode"):
        DrugPostScreenInput.model_validate({"posts": [{"text": "bad \udcff byte"}]})
    with pytest.raises(SkillError) as err:
        decode_upload("id,text\n1,caf\xe9\n".encode("latin-1"))
    assert err.value.code == "bad_encoding" and "UTF-8" in err.value.message
    assert decode_upload("\ufeffid,text\n1,野菜\n".encode()) == "id,text\n1,野菜\n"
    with pytest.raises(SkillError) as err:
        decode_upload(b"x" * 100, max_bytes=10)
    assert err.value.http_status == 413


@pytest.mark.parametrize("text", [
    "dagga in, R200 a bankie, whatsapp me",  # South Africa
    "charas from the hills, 1800/-, dm on telegram",  # India, the "/-" price
    "eckies for the rave, a fiver a pop, message us",  # UK / Scotland
    "yokes in for the match, pm for prices",  # Ireland, an ambiguous word backed by a contact cue
    "tik available, whatsapp the number in my bio",  # South Africa, ambiguous
    "sour diesel and white widow, $220 a zip, hmu",  # strain names
    "MD 3000 per gram, telegram only",  # a code word beside a deal size
])
def test_regional_street_names_are_offers(text: str) -> None:
    assert screen(text).label == SALE


@pytest.mark.parametrize("text", [
    "Dr Rao MD, clinic open sunday, whatsapp to book",  # a code word with no deal size
    "gorilla glue 2 pack for $10, dm me",
    "pineapple express on dvd, $5, message us",
    "tik tok famous candles, dm to order",
    "bags of party ice $3 each, dm",  # the ordinary sense before the word
    "biltong and droëwors for sale, R250/kg, whatsapp for orders",  # "dro" inside an accented word
    "powder coated gate, $200, message me",
])
def test_regional_words_in_their_ordinary_sense_are_not_offers(text: str) -> None:
    assert screen(text).label != SALE


def test_vendor_seizure_terms_are_not_news() -> None:
    # "seized" is a news word, but in a vendor's reship policy it is the seller's own terms.
    assert screen("xans and percs, reship if seized, no cops, invite in bio").label == SALE
    assert screen("police seized xans and percs, no cops were hurt").label != SALE


def test_quantity_run_into_price_is_not_leetspeak() -> None:
    from analytics.drug.normalize import normalize

    assert normalize("1g8000").text == "1g8000"
    assert screen("大魔あります 1g8000 郵送").label == SALE  # 大麻 mistyped
    assert screen("大魔王を倒した").label == BENIGN


def test_dialect_buyer_asking_is_not_an_offer() -> None:
    assert screen("誰か京都で手押ししてくれる人おらん？DM待ってます").label != SALE


@pytest.mark.parametrize("text", [
    "snow removal and salting, $35 a visit, message us to book",  # a service in the word's own sense
    "driveways cleared after every storm ❄️ seasonal contracts available, text me",
    "hemp flower in stock 🌿 under 0.3% THC, lab tested, $25 an eighth, dm me",  # a legal THC limit
    "custom beats, this one is gas, $40 lease or $200 exclusive, dm",  # music production
    "lolly bags for the birthday party 🍬 $4 each, dm to order",
    "lost our dog Molly near the park, reward $200, please dm",  # a pet's name, a lost-pet notice
    "ブツ撮り 1カット500円〜 EC向け DMください",  # ブツ撮り: product photography
    "ドラッグストアの特売💊 胃薬 2箱で900円",
    "ジェラート新作🍦 アイス 1カップ450円 テイクアウトのみ",
    "LINE交換しませんか？週末の試合の件で",  # LINE, the messenger, inside a contact cue
])
def test_services_goods_and_notices_are_not_offers(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize("text", [
    "gelato 30% THC, $45 an eighth, dm me",  # a strain's potency is no legal limit
    "snow 1g 80, hit my line",  # the drug word beside, not inside, the contact cue
    "パケ売り 都内 カカオで",  # a contact cue that is drug-trade jargon keeps its word
    "charlie in, £50 a g, text me",
])
def test_new_benign_readings_leave_offers_alone(text: str) -> None:
    assert screen(text).label == SALE


@pytest.mark.parametrize("text", [
    "coke was £40 a g here ten years ago, now it's £90, mad",  # commentary on what drugs cost
    "people still pay $60 for an eighth of weed on telegram?",
    "野菜って昔は1g3000で買えたらしい、今は倍だって",
    "テレグラムの手押しは詐欺が多い、1g5000とか言ってても来ない",
    "大阪で野菜ほしいんだけど、手押しの人を誰か知ってる？",  # a buyer asking
])
def test_price_commentary_and_buyers_asking_are_talk(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize("text", [
    "keeps your drinks cold ❄️ cooler box $45, text me",  # the emoji illustrating its ordinary sense
    "mary jane shoes in navy, size 7, $30, dm me",  # the shoe, not the drug
    "1oz silver bars and 5g gold bars at spot + 4%, dm to arrange",  # bullion
    "cucumber glass vials for perfume samples, 20 for $10, dm",
    "fresh mint and loose leaf tea 🌿 10g for $8, dm to order",  # goods sold by weight, emoji of the good
    "カモミールのハーブティー 量り売り 20g 500円 DMで注文",
    "🔌 usb-c chargers 2 for $15, dm me",  # the plug in the wall
    "phone case plug here 🔌 all models $10, dm",  # the emoji repeats a benign supplier's plug
    "冷たいのあります 自販機のジュース 120円",  # drinks
    "this new track is pure gas 🔥💨 out friday, link in bio",  # music promotion
    "pool chems restocked, $40 a bucket, text me",  # pool chemicals
    "rose bush for sale $20, text me",
    "crystals 💎 20% off with promo code STAR, link in bio",  # an online shop's discount code
])
def test_lawful_sellers_of_round_11_kinds_are_not_offers(text: str) -> None:
    assert screen(text).label != SALE


@pytest.mark.parametrize("text", [
    "K £30/g, 5g for £120, tele only",  # a one-letter code with a per-gram price
    "bush for sale, zip $250, whatsapp me",  # Caribbean slang for cannabis
    "chems available tonight 😉 msg me",  # chemsex slang
    "ま〇ふぁな あります 手渡し DMで",  # a masked character (伏せ字)
    "大ま 販売中 全国 郵送可",  # 大麻 half in kana
    "🪨🪨 $20 a piece, hit my line",  # the rock emoji
    "Klonopin and Valium cheap, pick up in midtown",  # a pickup place as a sale cue
    "ハーブティー 10g 分かる人向け 5000円 DMで",  # a cover good with a nudge stays an offer
    "weed 🌿 3.5g $40, telegram me",  # an emoji after a drug word, not a good
    "gas 🔌 3.5 for 40, dm",  # 🔌 without chargers or a benign plug
])
def test_round_11_rules_leave_offers_alone(text: str) -> None:
    assert screen(text).label == SALE
