"""Tests for qualcode.anonymity.detect: every detector with true and false positives, and pseudonyms."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.anonymity.detect import (
    Finding,
    SensitiveTerms,
    bsn_valid,
    detect,
    iban_valid,
)
from qualcode.anonymity.pseudonyms import PseudonymKey, anonymise, normalise_original
from qualcode.errors import InputError


def kinds_texts(text: str, terms: SensitiveTerms | None = None) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in detect(text, terms)]


# ------------------------------------------------------------------------------------------ BSN


def test_bsn_11_proef_by_hand() -> None:
    # 111222333: 9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3 - 3 = 66 = 6*11 -> valid
    assert bsn_valid("111222333")
    # 123456782: 9+16+21+24+25+24+21+16 - 2 = 154 = 14*11 -> valid
    assert bsn_valid("123456782")
    # 123456789: 156 - 9 = 147 = 13*11 + 4 -> invalid
    assert not bsn_valid("123456789")
    assert not bsn_valid("000000000")
    assert not bsn_valid("11122233")


@pytest.mark.parametrize(
    "written", ["111222333", "1112.22.333", "111 222 333", "111-222-333", "123456782"]
)
def test_valid_bsn_is_flagged_in_every_notation(written: str) -> None:
    assert kinds_texts(f"Mijn BSN is {written}, zei ze.") == [("bsn", written)]


@pytest.mark.parametrize(
    "text",
    [
        "nummer 123456789 klopt niet",  # fails the 11-proef
        "1234.56.789",  # fails the 11-proef
        "het dossier 1111222333 is lang",  # 10 digits
        "een bedrag van 111.222.333 euro",  # reads as money, not a BSN notation
        "code 111222333444",
    ],
)
def test_invalid_or_wrongly_shaped_bsn_is_not_flagged(text: str) -> None:
    assert [f for f in detect(text) if f.kind == "bsn"] == []


# ------------------------------------------------------------------------------------------ IBAN


def test_iban_validation() -> None:
    assert iban_valid("NL91ABNA0417164300")
    assert iban_valid("nl91 abna 0417 1643 00")
    assert not iban_valid("NL92ABNA0417164300")
    assert not iban_valid("NL91ABNA041716430")  # too short for NL
    assert not iban_valid("XX91ABNA0417164300")  # unknown country


@pytest.mark.parametrize(
    "written",
    [
        "NL91ABNA0417164300",
        "NL91 ABNA 0417 1643 00",
        "nl91abna0417164300",
        "DE89370400440532013000",
        "GB82 WEST 1234 5698 7654 32",
        "BE68539007547034",
    ],
)
def test_valid_iban_is_flagged(written: str) -> None:
    assert kinds_texts(f"Maak het over naar {written} graag.") == [("iban", written)]


@pytest.mark.parametrize("written", ["NL92ABNA0417164300", "NL91 ABNA 0417 1643 01", "NL91ABNA0417164300X"])
def test_iban_with_wrong_check_digit_is_not_flagged_at_all(written: str) -> None:
    # nor are the digits inside it reported as a phone number or BSN
    assert detect(f"rekening {written} zei hij") == []


def test_two_ibans_next_to_each_other() -> None:
    found = kinds_texts("NL91ABNA0417164300 NL91ABNA0417164300")
    assert found == [("iban", "NL91ABNA0417164300"), ("iban", "NL91ABNA0417164300")]


# ------------------------------------------------------------------------------------------ phone


@pytest.mark.parametrize(
    "written",
    [
        "06-12345678",
        "06 1234 5678",
        "0612345678",
        "06 12 34 56 78",
        "020-1234567",
        "010 123 4567",
        "0251-123456",
        "(020) 1234567",
        "+31 6 12345678",
        "+31612345678",
        "+31(0)20 1234567",
        "+31 (0)6-12345678",
        "0031 6 12345678",
        "0031201234567",
        "0800-1234",
        "0900 1234567",
        "+32 2 123 45 67",
    ],
)
def test_phone_numbers_are_flagged(written: str) -> None:
    assert kinds_texts(f"Bel {written} maar.") == [("phone", written)]


@pytest.mark.parametrize(
    "text",
    [
        "We beginnen om 10:30 met het teamoverleg.",
        "Dat was in 2019, geloof ik.",
        "Ik heb 200 klanten in mijn bestand.",
        "Het zijn er 40-50 per klantmanager.",
        "R1: [00:01:12] Ik begin meestal om 09.30 uur.",
        "Tijdstempel 00:01:12 en (00:02:30).",
        "Dat kost 0,50 euro per brief.",
        "Ze is op 06-12-1980 12 uur bij ons geweest.",
        "nummer 0612345 is te kort",
        "nummer 06123456789 is te lang",
        "+31 6 1234567 mist een cijfer",
        "de score was 0 - 10, of 0 tot 10",
        "tussen 2015-2019 was dat 1.020.000 euro",
    ],
)
def test_numbers_that_are_not_phone_numbers(text: str) -> None:
    assert detect(text) == []


def test_phone_followed_by_another_number_keeps_the_phone() -> None:
    assert kinds_texts("bel 020 1234567 10 keer") == [("phone", "020 1234567")]


def test_phone_after_a_year() -> None:
    assert kinds_texts("sinds 2019 0612345678 gebruikt") == [("phone", "0612345678")]


# ------------------------------------------------------------------------------------------ email


def test_email_flagged() -> None:
    assert kinds_texts("Mail naar p.de-vries+werk@gemeente.example.nl.") == [
        ("email", "p.de-vries+werk@gemeente.example.nl")
    ]


@pytest.mark.parametrize("text", ["op @twitter", "a @ b", "iemand@ zei", "x@y"])
def test_not_an_email(text: str) -> None:
    assert [f for f in detect(text) if f.kind == "email"] == []


# ------------------------------------------------------------------------------------------ postcode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Het adres is 1234 AB 12 toch?", "1234 AB 12"),
        ("Het adres is 1234AB 12a.", "1234AB 12a"),
        ("Het kantoor zit in 1012 AB Amsterdam.", "1012 AB"),
        ("ergens 2511 CV, Den Haag", "2511 CV"),
        ("naar 5211 AA 's-Hertogenbosch", "5211 AA"),
        ("Kerkstraat 12, 1234 AB toch", "1234 AB"),
        ("mijn postcode is 3511ab", "3511ab"),
        ("postcode: 3511 AB", "3511 AB"),
    ],
)
def test_postcode_flagged(text: str, expected: str) -> None:
    assert ("postcode", expected) in kinds_texts(text)


@pytest.mark.parametrize(
    "text",
    [
        "In 2015 en 2016 ging het beter.",
        "Sinds 2015 EU-regels gelden.",
        "1234 SA Amsterdam",  # SA, SD and SS are never used
        "1234 SS Amsterdam",
        "Het waren er 1234 AB.",  # no house number, no place, no cue
        "in 0123 AB Amsterdam",  # first digit 0
        "het was 1995 ok hoor",
        "zo'n 2000 km Amsterdam uit",
    ],
)
def test_postcode_not_flagged(text: str) -> None:
    assert [f for f in detect(text) if f.kind == "postcode"] == []


# ------------------------------------------------------------------------------------------ birthdate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik ben geboren op 12-03-1980 in Zwolle.", "12-03-1980"),
        ("geb. 12/3/1980", "12/3/1980"),
        ("Geboortedatum: 12 maart 1980", "12 maart 1980"),
        ("geboortedatum 1980-03-12", "1980-03-12"),
        ("Zij is geboren in 1975, denk ik.", "1975"),
        ("geboortejaar: 1962", "1962"),
        ("geboren op 12 mrt. 1980 in Ede", "12 mrt. 1980"),
        ("Mijn verjaardag is op 3 mei.", "3 mei"),
        ("GEBOREN 1 januari 2001", "1 januari 2001"),
    ],
)
def test_birthdate_after_cue_flagged(text: str, expected: str) -> None:
    assert kinds_texts(text) == [("birthdate", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "Op 12-03-1980 kwam hij voor het eerst.",  # no cue
        "Het gesprek was op 12 maart 1980.",
        "In 1980 begon de regeling.",
        "Ik ben geboren in Amsterdam. In 2015 begon ik hier.",  # other sentence
        "Ik ben geboren en getogen in Havenstad, sinds 2015 werk ik hier.",  # comma before the year
        "Op mijn verjaardag in 1999 was het feest.",  # a year alone is not a birthday
        "geboren in een gezin met veel kinderen en veel broers en zussen, 12-03-1980",  # > 40 chars
        "ongeboren 1980",  # cue must be a whole word
        "geboren op 32-13-1980",  # not a date
    ],
)
def test_birthdate_not_flagged(text: str) -> None:
    assert [f for f in detect(text) if f.kind == "birthdate"] == []


# ------------------------------------------------------------------------------------------ address


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik woon op de Kerkstraat 12 sinds kort.", "Kerkstraat 12"),
        ("Het is Van Woustraat 101-3, tweede etage.", "Van Woustraat 101-3"),
        ("Kantoor aan de Laan van Meerdervoort 5.", "Laan van Meerdervoort 5"),
        ("Hij woont Jan van Galenstraat 3a.", "Jan van Galenstraat 3a"),
        ("op de Kerkstraat 12-II", "Kerkstraat 12-II"),
        ("Dorpsweg 7 bis", "Dorpsweg 7 bis"),
        ("Prinsengracht 263 is bekend", "Prinsengracht 263"),
        ("Burgemeester de Vlugtlaan 125", "Burgemeester de Vlugtlaan 125"),
        ("De Stationsplein 1A", "Stationsplein 1A"),
        ("Kerkstraat nr. 5", "Kerkstraat nr. 5"),
        ("Markt 1", "Markt 1"),
        ("aan de Oudegracht 12bis", "Oudegracht 12bis"),
    ],
)
def test_address_flagged(text: str, expected: str) -> None:
    assert kinds_texts(text) == [("address", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "Hij leeft op straat 12 maanden al.",
        "Ze wonen in de straat 12 huizen verderop.",
        "In de wijk 12 klanten en in de straat nog meer.",
        "Ik woon in Amsterdam 12 jaar al.",
        "De Kerkstraat is lang.",
        "kerkstraat 12",  # not capitalised
        "Kerkstraat 12:30",
        "Kerkstraat 12.000 euro",
        "Straat 12 keer opgepakt.",
        "Weg 12 procent van de klanten.",
    ],
)
def test_address_not_flagged(text: str) -> None:
    assert [f for f in detect(text) if f.kind == "address"] == []


# ------------------------------------------------------------------------------------------ terms


TERMS = SensitiveTerms(
    people=["Zoë", "Piet Jansen", "Jansen"],
    municipalities=["Ede", "Sint-Oedenrode", "Den Haag", "'s-Hertogenbosch"],
    organisations=["Gemeente Ede", "Werkbedrijf"],
)


def test_sensitive_terms_with_accents_and_hyphens() -> None:
    text = "Zoë woont in Sint-Oedenrode en ZOË werkt bij het Werkbedrijf."
    assert kinds_texts(text, TERMS) == [
        ("person", "Zoë"),
        ("municipality", "Sint-Oedenrode"),
        ("person", "ZOË"),
        ("organisation", "Werkbedrijf"),
    ]


def test_sensitive_terms_whole_words_only() -> None:
    assert detect("In Vrede en in Edeveen, en bij Zoëlla, niet bij Werkbedrijven.", TERMS) == []
    assert kinds_texts("naar Ede.", TERMS) == [("municipality", "Ede")]


def test_sensitive_terms_longest_first_and_across_white_space() -> None:
    text = "piet   jansen van de gemeente ede, en Jansen's collega in Den\nHaag"
    assert kinds_texts(text, TERMS) == [
        ("person", "piet   jansen"),
        ("organisation", "gemeente ede"),
        ("person", "Jansen"),
        ("municipality", "Den\nHaag"),
    ]


def test_sensitive_terms_curly_apostrophe() -> None:
    assert kinds_texts("in ’s-Hertogenbosch", TERMS) == [("municipality", "’s-Hertogenbosch")]


def test_sensitive_terms_text_whose_lowercase_changes_length() -> None:
    # "İ".lower() is two characters: the detector must fall back without shifting offsets
    found = detect("İzmir en Zoë en Ede", TERMS)
    assert [(f.text, f.start) for f in found] == [("Zoë", 9), ("Ede", 16)]


def test_sensitive_terms_from_config() -> None:
    table = {"people": ["  Zoë ", ""], "municipalities": "Ede", "organisations": []}
    assert SensitiveTerms.from_config(table) == SensitiveTerms(["Zoë"], ["Ede"], [])
    whole = {"project": {"language": "nl"}, "anonymity": {"people": ["Jansen"]}}
    assert SensitiveTerms.from_config(whole).people == ["Jansen"]
    assert SensitiveTerms.from_config(None) == SensitiveTerms()
    with pytest.raises(InputError, match="people must be a list of strings") as info:
        SensitiveTerms.from_config({"people": [1, 2]}, file="qualcode.toml")
    assert "qualcode.toml" in str(info.value)


# ------------------------------------------------------------------------------------------ general


def test_line_and_column_are_one_based_code_points() -> None:
    text = "I: Hoe heet u?\nR: Zoë, ik woon op de Kerkstraat 12.\n\nR: Bel 06-12345678 of mail z@x.nl"
    found = detect(text, TERMS)
    assert [(f.kind, f.line, f.column) for f in found] == [
        ("person", 2, 4),
        ("address", 2, 23),
        ("phone", 4, 8),
        ("email", 4, 28),
    ]
    for f in found:
        assert text[f.start : f.end] == f.text
        assert text.split("\n")[f.line - 1][f.column - 1 :].startswith(f.text)


def test_line_offset_shifts_lines_only() -> None:
    [f] = detect("x\nZoë", TERMS, line_offset=10)
    assert (f.line, f.column, f.start) == (12, 1, 2)


def test_overlaps_keep_the_longer_finding() -> None:
    text = "mail jansen@ede.nl of bel +31 612345678"
    assert kinds_texts(text, TERMS) == [("email", "jansen@ede.nl"), ("phone", "+31 612345678")]


def test_clean_interview_text_has_no_findings() -> None:
    text = (
        "R1: [00:01:12] Ik heb nu 58 klanten, vorig jaar 60. Sinds 2015 werk ik hier, "
        "40-50 per klantmanager is normaal. Om 10:30 heb ik overleg, dan bel ik de werkgever. "
        "Dat kost 12,50 euro per uur en in de straat waar ik woon is het rustig. In 2019 had ik er 200."
    )
    assert detect(text, TERMS) == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 -+()./:@abNLZoëEde\nKerkstraat")), max_size=80))
def test_findings_are_sorted_disjoint_and_point_into_the_text(text: str) -> None:
    found = detect(text, TERMS)
    for a, b in zip(found, found[1:]):
        assert a.end <= b.start
    for f in found:
        assert text[f.start : f.end] == f.text and f.text


# ------------------------------------------------------------------------------------------ pseudonyms


def test_pseudonyms_are_stable_across_texts() -> None:
    key = PseudonymKey()
    a = "Zoë belde Piet Jansen op 06-12345678."
    b = "Later zei PIET JANSEN tegen zoë: bel +31 6 1234 5678 of Ede."
    out_a = anonymise(a, detect(a, TERMS), key)
    out_b = anonymise(b, detect(b, TERMS), key)
    assert out_a == "[PERSOON-1] belde [PERSOON-2] op [TELEFOON-1]."
    assert out_b == "Later zei [PERSOON-2] tegen [PERSOON-1]: bel [TELEFOON-1] of [GEMEENTE-1]."


def test_pseudonym_labels_per_kind() -> None:
    key = PseudonymKey()
    text = (
        "z@x.nl, 111222333, NL91ABNA0417164300, 1234 AB 12, geboren 12-03-1980, "
        "Kerkstraat 12, Werkbedrijf"
    )
    assert anonymise(text, detect(text, TERMS), key) == (
        "[E-MAIL-1], [BSN-1], [IBAN-1], [POSTCODE-1], geboren [GEBOORTEDATUM-1], [ADRES-1], [ORGANISATIE-1]"
    )


def test_key_save_load_and_numbering_continues(tmp_path: Path) -> None:
    key = PseudonymKey()
    text = "Zoë en Jansen"
    anonymise(text, detect(text, TERMS), key)
    path = tmp_path / "key.csv"
    key.save(path)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "kind,original,pseudonym",
        "person,Zoë,[PERSOON-1]",
        "person,Jansen,[PERSOON-2]",
    ]
    again = PseudonymKey.load(path)
    assert again.get("person", "ZOË") == "[PERSOON-1]"
    text2 = "Piet Jansen, Jansen en Zoë"
    assert anonymise(text2, detect(text2, TERMS), again) == "[PERSOON-3], [PERSOON-2] en [PERSOON-1]"


def test_numbering_continues_from_highest_existing(tmp_path: Path) -> None:
    path = tmp_path / "key.csv"
    path.write_text(
        "kind,original,pseudonym\n"
        "person,Jansen,[PERSOON-7]\n"
        "person,De Vries,Respondent A\n"
        "municipality,Ede,[GEMEENTE-2]\n",
        encoding="utf-8",
    )
    key = PseudonymKey.load(path)
    assert key.pseudonym("person", "de  vries") == "Respondent A"
    assert key.pseudonym("person", "Zoë") == "[PERSOON-8]"
    assert key.pseudonym("municipality", "Havenstad") == "[GEMEENTE-3]"
    assert key.pseudonym("email", "a@b.nl") == "[E-MAIL-1]"


def test_normalisation_of_originals() -> None:
    assert normalise_original("person", "  Piet \n Jansen ") == "piet jansen"
    assert normalise_original("phone", "+31 (0)6-1234 5678") == normalise_original("phone", "06 12345678")
    assert normalise_original("phone", "0031 20 123 4567") == "0201234567"
    assert normalise_original("iban", "NL91 ABNA 0417 1643 00") == "nl91abna0417164300"
    assert normalise_original("postcode", "1234 AB") == normalise_original("postcode", "1234ab")


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("kind;original;pseudonym\n", 1, "header"),
        ("kind,original,pseudonym\nperson,Zoë,[PERSOON-1]\nperson,Jansen\n", 3, "3 columns"),
        ("kind,original,pseudonym\nhuisdier,Bello,[HUISDIER-1]\n", 2, "unknown kind"),
        ("kind,original,pseudonym\nperson,,[PERSOON-1]\n", 2, "must not be empty"),
        ("kind,original,pseudonym\nperson,Zoë,[PERSOON-1]\n\nperson,ZOË,[PERSOON-2]\n", 4, "two pseudonyms"),
        ("kind,original,pseudonym\nperson,Zoë,[PERSOON-1]\nperson,Jan,[PERSOON-1]\n", 3, "two different"),
    ],
)
def test_malformed_key_file(tmp_path: Path, content: str, line: int, message: str) -> None:
    path = tmp_path / "key.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        PseudonymKey.load(path)
    assert info.value.location is not None
    assert info.value.location.line == line
    assert str(path) in str(info.value)


def test_key_file_not_utf8_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "key.csv"
    path.write_bytes("kind,original,pseudonym\nperson,Zo\u00eb,[PERSOON-1]\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        PseudonymKey.load(path)
    with pytest.raises(InputError, match="not found"):
        PseudonymKey.load(tmp_path / "none.csv")
    assert len(PseudonymKey.load(tmp_path / "none.csv", missing_ok=True)) == 0


def test_key_file_with_bom_and_quoted_commas(tmp_path: Path) -> None:
    path = tmp_path / "key.csv"
    path.write_text('\ufeffkind,original,pseudonym\norganisation,"Werk, Inkomen",[ORGANISATIE-1]\n', encoding="utf-8")
    key = PseudonymKey.load(path)
    assert key.get("organisation", "werk, inkomen") == "[ORGANISATIE-1]"
    key.save(path)
    assert PseudonymKey.load(path).entries == key.entries


def test_anonymise_rejects_findings_from_another_text() -> None:
    finding = Finding("person", "Zoë", 0, 3, 1, 1)
    with pytest.raises(ValueError):
        anonymise("Jan", [finding], PseudonymKey())


def test_anonymise_keeps_offsets_valid_right_to_left() -> None:
    text = "Ede, Ede en Zoë\nZoë"
    out = anonymise(text, detect(text, TERMS), PseudonymKey())
    assert out == "[GEMEENTE-1], [GEMEENTE-1] en [PERSOON-1]\n[PERSOON-1]"


def test_names_only_finds_the_listed_names_and_nothing_else() -> None:
    # What every ingest runs over the stored transcripts: the [anonymity] names, not the other detectors.
    terms = SensitiveTerms(people=["Jansen"], municipalities=["Havenstad"])
    text = "Mevrouw Jansen uit Havenstad belt 06-12345678 of mailt jansen@example.nl."
    assert kinds_texts(text, terms) == [("person", "Jansen"), ("municipality", "Havenstad"), ("phone", "06-12345678"),
                                        ("email", "jansen@example.nl")]
    assert [(f.kind, f.text, f.start) for f in detect(text, terms, names_only=True)] == [
        ("person", "Jansen", 8), ("municipality", "Havenstad", 19), ("person", "jansen", 55)]
