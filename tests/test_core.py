"""The core decides and returns effects as data; nothing in it does I/O."""

from __future__ import annotations

from bot.core import decide as core
from bot.core.callbacks import Action, Kind
from bot.core.commands import BY_NAME
from bot.core.decide import Context, Media, Press, Text, Typed
from bot.core.state import (
    ClearChat,
    CountView,
    Forget,
    RecordReport,
    SavePrefs,
    ScheduleTidy,
    Tidy,
    UserState,
)
from bot.directory.queries import Directory
from bot.i18n.translator import Catalogs

EN = UserState("en", "iq-fed")


def test_choosing_a_language_saves_it_and_shows_the_menu_in_it(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    ctx = Context.of(small_directory, catalogs)
    outcome = core.decide(ctx, UserState(), Press(Action(Kind.SET_LANGUAGE, "ar")))
    assert outcome.state == UserState("ar")
    assert outcome.effects == (
        SavePrefs(UserState("ar")), CountView("set_language"), ScheduleTidy(Tidy.NEUTRAL, "ar")
    )
    assert catalogs.get("ar").gettext("Emergency") in outcome.screen.buttons()[0].label


def test_an_unknown_language_or_place_changes_nothing(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    ctx = Context.of(small_directory, catalogs)
    for action in (Action(Kind.SET_LANGUAGE, "xx"), Action(Kind.SET_REGION, "nowhere")):
        outcome = core.decide(ctx, EN, Press(action))
        assert outcome.state == EN
        assert not any(isinstance(e, SavePrefs) for e in outcome.effects)
        assert outcome.screen.text.startswith("This menu has changed.")


def test_forget_and_clear_are_effects_for_the_adapter(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    ctx = Context.of(small_directory, catalogs)
    forget = core.decide(ctx, EN, Typed(BY_NAME["forget"]))
    assert forget.state == UserState() and Forget() in forget.effects
    clear = core.decide(ctx, EN, Press(Action(Kind.CLEAR)))
    assert clear.effects == (ClearChat(),) and clear.screen.text == "Done."
    assert core.decide(ctx, EN, Typed(BY_NAME["clear"])) == clear


def test_a_report_is_recorded_only_for_a_resource_that_exists(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    ctx = Context.of(small_directory, catalogs)
    found = core.decide(ctx, EN, Press(Action(Kind.REPORT, "smex", "digital")))
    assert any(isinstance(e, RecordReport) and e.resource == "smex" for e in found.effects)
    gone = core.decide(ctx, EN, Press(Action(Kind.REPORT, "gone", "digital")))
    assert not any(isinstance(e, RecordReport) for e in gone.effects)


def test_start_asks_for_a_language_first_then_goes_to_the_menu(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    ctx = Context.of(small_directory, catalogs)
    first = core.decide(ctx, UserState(), Typed(BY_NAME["start"]), client_language="ckb")
    assert first.screen.buttons()[0].action == Action(Kind.SET_LANGUAGE, "ckb")
    assert first.effects == (CountView("language-picker"), ScheduleTidy(Tidy.NEUTRAL, "ckb"))
    later = core.decide(ctx, EN, Typed(BY_NAME["start"]))
    assert later.screen.rows[0][0].action == Action(Kind.EMERGENCY)


def test_text_is_answered_with_the_menu_and_media_is_explained_once(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    ctx = Context.of(small_directory, catalogs)
    text = core.decide(ctx, EN, Text())
    assert text.screen.text.startswith("I work with buttons only.")
    assert text.effects == (ScheduleTidy(Tidy.NEUTRAL, "en"),)
    first = core.decide(ctx, EN, Media(told=False))
    assert first.screen.text.startswith("I do not need photos")
    assert core.decide(ctx, EN, Media(told=True)) == text


def test_the_same_press_gives_the_same_outcome(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    ctx = Context.of(small_directory, catalogs)
    press = Press(Action(Kind.CATEGORY, "asylum"))
    assert core.decide(ctx, EN, press) == core.decide(ctx, EN, press)
