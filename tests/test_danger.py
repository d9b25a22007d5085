"""Danger heard by meaning, as people write it, in every language; ordinary requests left alone.

Each language's table holds phrasings as typed (dialect, no diacritics, an Arabic keyboard for
Kurdish, Arabizi, misspellings, other word orders, greetings around them) that must be heard,
with the kind of danger, and ordinary messages sharing a stem that must not be.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.search import danger
from bot.search.danger import (
    Danger,
    DangerFileError,
    danger_words_in,
    detect,
    load_danger,
    shipped_danger_words,
    spot,
)
from bot.search.fold import fold, tokens, words
from tests.conftest import ROOT
from tests.langs import SHIPPED

FILE = ROOT / "locales" / danger.FILE
SELF_HARM, THREAT, SEXUAL = Danger.SELF_HARM, Danger.THREAT, Danger.SEXUAL_VIOLENCE
VIOLENCE, BLACKMAIL, GENERAL = Danger.VIOLENCE, Danger.BLACKMAIL, Danger.GENERAL

HEARD: dict[str, list[tuple[Danger, str]]] = {
    "en": [
        (SELF_HARM, "I want to kill myself"), (SELF_HARM, "i wanna kill myself tonight"),
        (SELF_HARM, "im going to kill myself"), (SELF_HARM, "Hi, I keep thinking about suicide"),
        (SELF_HARM, "i feel suicidal"), (SELF_HARM, "I want to die"),
        (SELF_HARM, "i just wanna die"), (SELF_HARM, "I don't want to live anymore"),
        (SELF_HARM, "thinking of ending my life"), (SELF_HARM, "I cut myself again last night"),
        (SELF_HARM, "took an overdose of pills"), (SELF_HARM, "i self harm every day"),
        (SELF_HARM, "im thinking about ending it all"), (SELF_HARM, "i have no reason to live"),
        (VIOLENCE, "my husband beats me"), (VIOLENCE, "My father hits me and my mother"),
        (VIOLENCE, "he beat me yesterday"), (VIOLENCE, "I am being beaten at home"),
        (VIOLENCE, "my brother abuses me"), (VIOLENCE, "they tortured us in prison"),
        (VIOLENCE, "they will hurt my children"), (VIOLENCE, "my wife hits me"),
        (BLACKMAIL, "someone is blackmailing me"),
        (BLACKMAIL, "he is threatening to post my pictures"),
        (BLACKMAIL, "my ex leaked my nudes"), (BLACKMAIL, "I am a victim of sextortion"),
        (THREAT, "they will kill me"), (THREAT, "My family wants to kill me because I am gay"),
        (THREAT, "they want me dead"), (THREAT, "someone is following me home"),
        (THREAT, "my son was kidnapped"), (THREAT, "I fear for my life"),
        (THREAT, "pls someone help me my husband is going to kill me"),
        (THREAT, "he has a gun and said he will shoot me"),
        (THREAT, "my brother said he would murder me for being gay"),
        (SEXUAL, "i was raped"), (SEXUAL, "a man sexually assaulted me"),
        (SEXUAL, "my boss keeps harassing me"),
        (GENERAL, "help me please"), (GENERAL, "please help!!"), (GENERAL, "SOS"),
        (GENERAL, "I am in danger"), (GENERAL, "HELP ME"), (GENERAL, "heeelp me"),
        (GENERAL, "they are threatening me"), (GENERAL, "I'm scared"),
        (GENERAL, "i feel unsafe at home"),
    ],
    "ar": [
        (SELF_HARM, "أريد أن أنتحر"), (SELF_HARM, "اريد انتحر"), (SELF_HARM, "ابي انتحر"),
        (SELF_HARM, "بدي انتحر خلص"), (SELF_HARM, "عم فكر بالانتحار"),
        (SELF_HARM, "راح اقتل نفسي"), (SELF_HARM, "بدي موت"),
        (SELF_HARM, "اريد اموت والله تعبت"), (SELF_HARM, "ما بدي عيش"),
        (SELF_HARM, "بدي انهي حياتي"), (SELF_HARM, "اجرح نفسي كل يوم"),
        (SELF_HARM, "بفكر انتحر"), (SELF_HARM, "نفسي اموت"), (SELF_HARM, "رح موت حالي"),
        (SELF_HARM, "ana bde entihar"), (SELF_HARM, "bidi mout"),
        (BLACKMAIL, "يبتزني"), (BLACKMAIL, "شخص يبتزني بصوري"),
        (BLACKMAIL, "تعرضت للابتزاز الالكتروني"), (BLACKMAIL, "هددني ينشر صوري"),
        (BLACKMAIL, "راح يفضحني"), (BLACKMAIL, "يهددني بفضحي"),
        (BLACKMAIL, "wa7ad 3am yebtazni"),
        (VIOLENCE, "زوجي يضربني"), (VIOLENCE, "ابوي ضربني اليوم"),
        (VIOLENCE, "اخوي دايما يضربنا"), (VIOLENCE, "جوزي بيضربني كل يوم"),
        (VIOLENCE, "يعنفني زوجي"), (VIOLENCE, "انا معنفة من زوجي"),
        (VIOLENCE, "زوجي يعذبني"), (VIOLENCE, "jozi ydrobni"),
        (THREAT, "راح يقتلوني"), (THREAT, "بدهم يقتلوني"), (THREAT, "راح يكتلوني"),
        (THREAT, "سيقتلونني"), (THREAT, "يهددني بالقتل"), (THREAT, "اهلي يريدون قتلي"),
        (THREAT, "ابني مخطوف"), (THREAT, "خطفوا اخوي"), (THREAT, "في شخص يلاحقني"),
        (THREAT, "حياتي في خطر"), (THREAT, "اهلي ناويين يقتلوني"),
        (THREAT, "عمي هددني بالذبح"), (THREAT, "مهدد بالقتل"), (THREAT, "ra7 yi2telni"),
        (SEXUAL, "اغتصبني"), (SEXUAL, "تعرضت للاغتصاب"), (SEXUAL, "يتحرش بي مديري"),
        (SEXUAL, "اعتدى علي جنسيا"),
        (GENERAL, "ارجوكم ساعدوني"), (GENERAL, "ساعدوووني"), (GENERAL, "النجدة"),
        (GENERAL, "انا في خطر"), (GENERAL, "الحقوني بسرعة"), (GENERAL, "خطر"),
        (GENERAL, "يهددني"), (GENERAL, "الله يخليكم ساعدوني"), (GENERAL, "ساعدني ارجوك"),
        (GENERAL, "sa3edni please"),
    ],
    "ckb": [
        (SELF_HARM, "دەمەوێت خۆم بکوژم"), (SELF_HARM, "خۆم دەکوژم"),
        (SELF_HARM, "ئەمەوێت خۆم بکوژم"), (SELF_HARM, "بیر لە خۆکوژی دەکەمەوە"),
        (SELF_HARM, "خوکوژی"), (SELF_HARM, "دەمەوێت بمرم"), (SELF_HARM, "حەز دەکەم بمرم"),
        (SELF_HARM, "ناتوانم بژیم ئیتر"), (SELF_HARM, "خۆم دەسووتێنم"),
        (SELF_HARM, "دەمەویت خوم بکوژم"), (SELF_HARM, "دهمهویت خوم بكوژم"),
        (SELF_HARM, "خەریکە خۆم دەکوژم"),
        (THREAT, "بمکوژن"), (THREAT, "دەیانەوێت بمکوژن"), (THREAT, "دەیانەوێ بمکوژن"),
        (THREAT, "مێردەکەم دەیەوێت بمکوژێت"), (THREAT, "باوکم دەمکوژێت"),
        (THREAT, "خێزانەکەم دەمانکوژن"), (THREAT, "ئەمکوژن"),
        (THREAT, "هەڕەشەی کوشتنم لێدەکات"), (THREAT, "باوکم هەڕەشەی کوشتنم لێ دەکات"),
        (THREAT, "کوڕەکەم ڕفێنرا"), (THREAT, "ژیانم لە مەترسیدایە"),
        (VIOLENCE, "مێردەکەم لێم دەدات"), (VIOLENCE, "باوکم لێمان دەدات"),
        (VIOLENCE, "لێمدەدات"), (VIOLENCE, "ئازارم دەدات"), (VIOLENCE, "لێدرام"),
        (VIOLENCE, "هەموو ڕۆژێک لێم دەدەن"), (VIOLENCE, "میردەکەم ليم دەدات"),
        (SEXUAL, "دەستدرێژی"), (SEXUAL, "دەستدرێژی سێکسیم کرایە سەر"), (SEXUAL, "لاقەکرام"),
        (BLACKMAIL, "بلاکمەیلم دەکات"), (BLACKMAIL, "هەڕەشەم لێدەکات بە وێنەکانم"),
        (BLACKMAIL, "وێنەکانم بڵاو دەکاتەوە"), (BLACKMAIL, "ڤیدیۆکەم بڵاو دەکاتەوە"),
        (GENERAL, "فریام کەون"), (GENERAL, "تکایە یارمەتیم بدەن"), (GENERAL, "لە مەترسیدام"),
        (GENERAL, "هاوار"), (GENERAL, "هەڕەشەم لێدەکەن"), (GENERAL, "یارمەتیم بدە"),
    ],
    "ku": [
        (VIOLENCE, "mêrê min li min dixe"), (VIOLENCE, "bavê min li min dixe"),
        (VIOLENCE, "mere min li min dixe"), (VIOLENCE, "birayê min her roj li me dixe"),
        (VIOLENCE, "mêrê min min dikute"), (VIOLENCE, "tundiyê li min dike"),
        (VIOLENCE, "bavê min li me dixe"),
        (THREAT, "dixwazin min bikujin"), (THREAT, "dê min bikujin"),
        (THREAT, "ew ê min bikuje"), (THREAT, "malbata min dixwaze min bikuje"),
        (THREAT, "min dikujin"), (THREAT, "gefa kuştinê li min dixwin"),
        (THREAT, "kurê min hat revandin"), (THREAT, "jiyana min di xeterê de ye"),
        (THREAT, "yek li pey min tê"), (THREAT, "birayê min dê min bikuje"),
        (THREAT, "ew dixwazin me bikujin"), (THREAT, "min dixwazin bikujin"),
        (SELF_HARM, "ez dixwazim xwe bikujim"), (SELF_HARM, "ez ê xwe bikujim"),
        (SELF_HARM, "xwekuştin"), (SELF_HARM, "ez li ser xwekuştinê difikirim"),
        (SELF_HARM, "dixwazim bimirim"), (SELF_HARM, "ez naxwazim bijîm"),
        (SELF_HARM, "ez dixwazim zirarê bidim xwe"), (SELF_HARM, "ez ê xwe bikujim îşev"),
        (SELF_HARM, "ez dixwazim xwe bikujim"), (SELF_HARM, "ez dixwazim xwe bikujm"),
        (SEXUAL, "destdirêjî li min hat kirin"), (SEXUAL, "tecawizî min kirin"),
        (SEXUAL, "destavêtin"),
        (BLACKMAIL, "şantajê li min dike"), (BLACKMAIL, "yek santaje dike"),
        (BLACKMAIL, "gef dixwe ku wêneyên min belav bike"),
        (BLACKMAIL, "wêneyên min belav dike"),
        (GENERAL, "alîkariya min bikin"), (GENERAL, "hawar"), (GENERAL, "ez di xeterê de me"),
        (GENERAL, "min xelas bikin"), (GENERAL, "gefan li min dixwe"), (GENERAL, "xeter"),
        (GENERAL, "ji kerema xwe alîkariya min bike"),
        (GENERAL, "ji kerema xwe alîkariya me bikin"),
    ],
    "ku-Arab": [
        (SELF_HARM, "دخوازم خۆ بکوژم"), (SELF_HARM, "ئەز دێ خۆ کوژم"),
        (SELF_HARM, "ئەز دخوازم خو بکوژم"), (SELF_HARM, "ئەز هزرا خۆکوشتنێ دکەم"),
        (SELF_HARM, "دخوازم بمرم"), (SELF_HARM, "دخوازم خو بكوژم"),
        (SELF_HARM, "ئەز دێ خۆ کوژم ئەڤرو"),
        (THREAT, "دێ من کوژیت"), (THREAT, "دێ من کوژن"), (THREAT, "من دکوژن"),
        (THREAT, "دخوازن من بکوژن"), (THREAT, "بابێ من دێ من کوژیت"),
        (THREAT, "گەفێن کوشتنێ ل من دکەت"), (THREAT, "کورێ من هاتە رەڤاندن"),
        (THREAT, "ژیانا من د مەترسیێ دایە"), (THREAT, "دێ من كوژن"), (THREAT, "دێ مە کوژن"),
        (VIOLENCE, "ل من ددەت"), (VIOLENCE, "زەلامێ من ل من ددەت"),
        (VIOLENCE, "بابێ من ل مە ددەت"), (VIOLENCE, "توندیێ ل من دکەت"), (VIOLENCE, "ل من دا"),
        (SEXUAL, "دەستدرێژیا سێکسی ل من هاتە کرن"), (SEXUAL, "دەستدرێژی ل من کر"),
        (BLACKMAIL, "بلاکمەیلا من دکەت"), (BLACKMAIL, "گەف ل من دکەت ب وێنەیان"),
        (BLACKMAIL, "وێنەیێن من بەلاڤ دکەت"), (BLACKMAIL, "ئیبتزازا من دکەت"),
        (GENERAL, "هەوار"), (GENERAL, "تەوارێ"), (GENERAL, "گەف"),
        (GENERAL, "هاریکاریا من بکەن"), (GENERAL, "فریا من کەڤن"),
        (GENERAL, "ئەز د مەترسیێ دامە"), (GENERAL, "هاوار هاوار"),
        (GENERAL, "گەفان ل من دکەن"), (GENERAL, "هەوار تەوارێ"), (GENERAL, "هاریکاریا مە بکەن"),
    ],
    "tr": [
        (SELF_HARM, "intihar etmek istiyorum"), (SELF_HARM, "kendimi öldüreceğim"),
        (SELF_HARM, "ölmek istiyorum"), (SELF_HARM, "yaşamak istemiyorum"),
        (SELF_HARM, "intihar edeceğim"),
        (VIOLENCE, "kocam beni dövüyor"), (THREAT, "beni öldürecekler"),
        (THREAT, "kocam beni öldürecek"), (THREAT, "kaçırıldım"),
        (THREAT, "biri beni takip ediyor"), (THREAT, "hayatım tehlikede"),
        (SEXUAL, "tecavüze uğradım"), (SEXUAL, "beni taciz ediyor"),
        (BLACKMAIL, "şantaj yapıyor"), (BLACKMAIL, "fotoğraflarımla tehdit ediyor"),
        (GENERAL, "imdat"), (GENERAL, "yardım edin lütfen"), (GENERAL, "tehlikedeyim"),
        (THREAT, "öldürecekler!"), (GENERAL, "tehdit"),
    ],
}

ORDINARY: dict[str, list[str]] = {
    "en": [
        "I need a lawyer", "painkiller", "painkillers for a headache", "kill the app",
        "how do I kill the app on my phone", "beat the deadline", "hit the button",
        "photo editing help", "domestic violence", "help with registration",
        "is telegram dangerous", "killer whale documentary", "skills training for women",
        "my phone died", "I want to live in Germany", "how to report a threat",
        "follow us on facebook", "sexual health clinic", "legal help for my asylum case", "help",
        "shoot me a message",
    ],
    "ar": [
        "أحتاج محامي", "مبيد حشري", "مبيد حشري قاتل للصراصير", "خطر في بالي سؤال",
        "خطر ببالي اسألكم", "خطر عليا سؤال", "كيف اضرب رقمين", "اضراب المعلمين اليوم",
        "الكتل السياسية", "عدد القتلى في الحرب", "العنف الأسري", "بدي مساعدة بالتسجيل",
        "موت جدي كان صعب", "بموت فيك", "نفسي اسافر", "بريد الكتروني",
        "مقتل شخصين في حادث سير", "ما هي التهديدات على تيليجرام", "صور جواز السفر",
        "خطر الالغام في سوريا", "ضربني البرد", "كيف احمي صوري",
    ],
    "ckb": [
        "پارێزەرم دەوێت", "کوشتنی مێرووەکان", "مۆبایلەکەم بکوژێنەوە", "چراکە بکوژێنەوە",
        "لێدانی تۆپ", "مەترسیی کۆرۆنا", "یارمەتی بۆ تۆمارکردن", "توندوتیژی خێزانی",
        "مانگی ئازار", "مردنی باپیرم", "دەمەوێت لە ئەڵمانیا بژیم", "خۆم دەپارێزم",
        "هەڕەشە ئەلیکترۆنیەکان", "یارمەتی",
    ],
    "ku": [
        "alîkarî", "alîkarî ji bo qeydkirinê", "kuştina kêzikan", "lêxistina topê di futbolê de",
        "parêzerek dixwazim", "min mişk kuşt", "serê min diêşe", "xeterên înternetê",
        "tundiya li ser jinan", "ez dixwazim li Almanyayê bijîm", "mirina bapîrê min",
        "ez xwe baş hîs dikim", "ez ê wêneyên xwe belav bikim", "ez alîkariya te dikim",
    ],
    "ku-Arab": [
        "هاریکاری", "هاریکاریا یاسایی", "کوشتنا زاروکان", "من پارێزەرەک دڤێت", "من مشک کوشت",
        "خۆ بپارێزە", "مەترسیێن ئینتەرنێتێ", "توندوتیژیا خێزانی", "سەرێ من دئێشیت",
        "پارێ من ددەت", "دێ چمە دهۆکێ", "ئەز دخوازم ل ئەلمانیا بژیم",
    ],
    "tr": ["avukat lazım", "yardım", "kadına şiddet", "otobüsü kaçırdım", "öldürücü virüs",
           "tehdit nasıl bildirilir"],
}


@pytest.fixture(scope="module")
def vocabulary() -> danger.DangerWords:
    return load_danger(FILE)


def _table(rows: dict[str, list[tuple[Danger, str]]]) -> list[tuple[str, Danger, str]]:
    return [(lang, kind, text) for lang, pairs in rows.items() for kind, text in pairs]


@pytest.mark.parametrize(("lang", "kind", "text"), _table(HEARD))
def test_danger_is_heard_as_people_write_it(
    lang: str, kind: Danger, text: str, vocabulary: danger.DangerWords
) -> None:
    assert detect(vocabulary, text) is kind, (lang, text)


@pytest.mark.parametrize(
    ("lang", "text"), [(lang, text) for lang, texts in ORDINARY.items() for text in texts]
)
def test_ordinary_messages_sharing_a_stem_are_not_danger(
    lang: str, text: str, vocabulary: danger.DangerWords
) -> None:
    assert detect(vocabulary, text) is None, (lang, text)


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_language_has_its_tables_and_words_for_every_kind_of_danger(
    lang: str, vocabulary: danger.DangerWords
) -> None:
    assert len(HEARD[lang]) >= 30 and len(ORDINARY[lang]) >= 10, lang
    assert {kind for kind, _ in HEARD[lang]} == set(Danger), lang
    listed = yaml.safe_load(FILE.read_text(encoding="utf-8"))["languages"][lang]
    assert set(Danger) <= set(listed), lang


GRAVEST_FIRST = [
    ("en", "he beats me and I want to kill myself", SELF_HARM),
    ("ar", "زوجي يضربني ويهددني بالقتل", THREAT),
    ("ckb", "لێم دەدات و دەمەوێت خۆم بکوژم", SELF_HARM),
    ("ku", "mêrê min li min dixe û dixwaze min bikuje", THREAT),
    ("ku-Arab", "ل من ددەت و دێ من کوژیت", THREAT),
]


@pytest.mark.parametrize(("lang", "text", "kind"), GRAVEST_FIRST)
def test_the_gravest_danger_said_decides(
    lang: str, text: str, kind: Danger, vocabulary: danger.DangerWords
) -> None:
    assert detect(vocabulary, text) is kind, (lang, text)


REST = [
    ("en", "hello, my husband beats me, I need a lawyer", ["husband", "lawyer"], ["beats"]),
    ("ar", "زوجي يضربني بدي محامي", ["محامي"], ["يضربني"]),
    ("ckb", "مێردەکەم لێم دەدات پارێزەرم دەوێت", ["مێردەکەم", "پارێزەرم"], ["لێم", "دەدات"]),
    ("ku", "mêrê min li min dixe, parêzer", ["mêrê", "parêzer"], ["dixe"]),
    ("ku-Arab", "ل من ددەت، پارێزەر", ["پارێزەر"], ["ددەت"]),
]


@pytest.mark.parametrize(("lang", "text", "kept", "taken"), REST)
def test_the_other_words_are_kept_to_show_what_was_asked_beside_the_answer(
    lang: str, text: str, kept: list[str], taken: list[str], vocabulary: danger.DangerWords
) -> None:
    spotted = spot(vocabulary, text)
    assert spotted is not None, (lang, text)
    rest = set(spotted.rest)
    assert {tokens(w)[0] for w in kept} <= rest, (lang, rest)
    assert not {tokens(w)[0] for w in taken} & rest, (lang, rest)


def test_the_words_are_stems_and_roots_not_the_sentences_they_are_tested_with() -> None:
    """Folded, no run of the file's words (between its marks: + | = ! , quotes, brackets)
    reads as a test sentence of two words or more."""
    runs = re.split(r"[^\w\s]|_", fold(FILE.read_text(encoding="utf-8")))
    held = {" ".join(words(run)) for run in runs}
    sentences = [text for pairs in HEARD.values() for _, text in pairs]
    sentences += [text for texts in ORDINARY.values() for text in texts]
    sentences += [text for _, text, _ in GRAVEST_FIRST]
    hay = "|".join(f" {run} " for run in held)
    listed = [s for s in sentences if len(tokens(s)) >= 2 and f" {' '.join(tokens(s))} " in hay]
    assert listed == []


BROKEN = [
    ("languages: [", "is not valid YAML"),
    ("[]", "must be a mapping"),
    ("languages: {en: {self-harm: [suicid]}}", "languages.en: unknown key 'self-harm'"),
    ("languages: {en: {self_harm: [ki]}}", "languages.en.self_harm[0]"),
    ("languages: {ar: {threat: ['قتل<me>']}}", "no affix group 'me'"),
    ("languages: {en: {general: ['!help']}}", "not negated"),
    ("languages: {english: {general: [help]}}", "not a language code"),
    ("window: 40\nlanguages: {en: {general: [help]}}", "window"),
    ("languages: {en: {prefixes: [two words], general: [help]}}", "en.prefixes[0]"),
    ("languages: {en: {prefixes: [" + ", ".join(a + b for a in "abcdef" for b in "ghijk")
     + "], general: [help]}}", "en.prefixes: 30 pieces stack"),
]


@pytest.mark.parametrize(("text", "said"), BROKEN)
def test_a_broken_danger_file_is_refused_naming_the_file_and_the_field(
    text: str, said: str, tmp_path: Path
) -> None:
    path = tmp_path / danger.FILE
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DangerFileError) as error:
        load_danger(path)
    assert str(path) in str(error.value) and said in str(error.value)


@pytest.mark.parametrize("lang", SHIPPED)
def test_a_broken_danger_file_keeps_the_last_good_words_and_says_why(
    tmp_path: Path, lang: str
) -> None:
    (tmp_path / danger.FILE).write_text("languages: [", encoding="utf-8")
    words, fault = danger_words_in(tmp_path)
    assert fault is not None and str(tmp_path / danger.FILE) in str(fault)
    kind, text = HEARD[lang][0]
    assert detect(words, text) is kind, "the shipped words serve"
    kept = load_danger(FILE)
    assert danger_words_in(tmp_path, kept)[0] is kept, "a reload keeps the words it had"


def test_the_shipped_words_are_the_ones_search_uses(vocabulary: danger.DangerWords) -> None:
    shipped = shipped_danger_words()
    assert shipped == load_danger(FILE)
    assert len(shipped.signs) == len(vocabulary.signs)
