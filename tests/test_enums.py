"""The labelled enums: each member carries the words a page shows, stores and sends its plain value,
and gives a form its choices."""

from __future__ import annotations

import json
from enum import StrEnum

from pydantic import BaseModel

from witness_support.enums import LabelledEnum, choices


class Colour(LabelledEnum):
    DARK_RED = "dark_red", "the colour of wine"
    SKY_BLUE = "sky_blue"


class Plain(StrEnum):
    FIRST_ONE = "first_one"
    SECOND = "second"


class Paint(BaseModel):
    colour: Colour


def test_a_member_carries_its_words_or_reads_its_value_with_spaces() -> None:
    assert Colour.DARK_RED.words == "the colour of wine"
    assert Colour.SKY_BLUE.words == "sky blue"


def test_a_member_is_its_plain_value_where_it_is_stored_and_sent() -> None:
    assert Colour.DARK_RED == "dark_red"
    assert str(Colour.DARK_RED) == "dark_red"
    assert Colour("sky_blue") is Colour.SKY_BLUE
    assert json.loads(Paint(colour=Colour.DARK_RED).model_dump_json()) == {"colour": "dark_red"}
    assert Paint.model_validate_json('{"colour": "sky_blue"}').colour is Colour.SKY_BLUE
    assert Paint.model_json_schema()["$defs"]["Colour"] == {"enum": ["dark_red", "sky_blue"], "title": "Colour",
                                                           "type": "string"}


def test_words_of_a_stored_value_and_of_one_that_is_no_member() -> None:
    assert Colour.words_of("dark_red") == "the colour of wine"
    assert Colour.words_of("mauve_ish") == "mauve_ish"
    assert Colour.words_of("mauve_ish", "mauve-ish") == "mauve-ish"
    assert Colour.words_of(None) == ""


def test_choices_in_the_enums_order() -> None:
    assert choices(Colour) == {"dark_red": "the colour of wine", "sky_blue": "sky blue"}
    assert choices(Colour, capitalize=True, blank="—") == {"": "—", "dark_red": "The colour of wine",
                                                         "sky_blue": "Sky blue"}
    assert choices(Plain, capitalize=True, skip=(Plain.SECOND,)) == {"first_one": "First one"}
    assert Colour.word_map() == {Colour.DARK_RED: "the colour of wine", Colour.SKY_BLUE: "sky blue"}
