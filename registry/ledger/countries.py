"""Country names as people write them in ledgers (Japanese, English, katakana, full- or
half-width) read as ISO 3166 codes: pycountry's names and codes, and Babel's Japanese names."""

from __future__ import annotations

import functools
import unicodedata

import pycountry
from babel import Locale

#: short Japanese names ledgers use beside the official ones
COMMON = {
    "日本": "JP", "アメリカ": "US", "米国": "US", "アメリカ合衆国": "US", "イギリス": "GB",
    "英国": "GB", "中国": "CN", "韓国": "KR", "台湾": "TW", "香港": "HK", "ドイツ": "DE",
    "フランス": "FR", "シンガポール": "SG", "インド": "IN", "ベトナム": "VN", "フィリピン": "PH",
    "タイ": "TH", "マレーシア": "MY", "インドネシア": "ID", "オーストラリア": "AU", "カナダ": "CA",
    "アイルランド": "IE", "オランダ": "NL", "スイス": "CH", "国内": "JP", "中華人民共和国": "CN",
    "ドイツ連邦共和国": "DE", "大韓民国": "KR", "アメリカ合衆国(米国)": "US", "uk": "GB", "usa": "US",
    "britain": "GB", "greatbritain": "GB", "southkorea": "KR", "korea": "KR",
}


def name_key(text: object) -> str:
    """A country name as it is compared: NFKC, no spaces, dots or brackets' contents, lower case."""
    normal = unicodedata.normalize("NFKC", str(text or "")).split("(")[0]
    return "".join(c for c in normal if c.isalnum()).lower()


@functools.cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name", "alpha_3"):
            if hasattr(country, attr):
                names[name_key(getattr(country, attr))] = country.alpha_2
    codes = {c.alpha_2 for c in pycountry.countries}
    for code, name in Locale("ja").territories.items():
        if code in codes:
            names.setdefault(name_key(name), code)
    names.update({name_key(name): code for name, code in COMMON.items()})
    return names


def country_code(value: object) -> str | None:
    """The ISO 3166 alpha-2 code a cell names (a code itself, or a name), else None."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if len(text) == 2 and text.isascii() and text.isalpha():
        code = text.upper()
        return code if pycountry.countries.get(alpha_2=code) else None
    return _names().get(name_key(text))
