"""What a valid purpose, data category and purpose × category link are."""

from __future__ import annotations

from registry.core.i18n import Label
from registry.core.schema import Description
from registry.inventory.models import DataCategory, Purpose, PurposeCategory

PURPOSES = Description(
    Purpose, key=("code",), singular=Label("Purpose of use", "利用目的"),
    plural=Label("Purposes of use", "利用目的"), sheet_synonyms=("Purposes",),
    order_by=(Purpose.code,))

CATEGORIES = Description(
    DataCategory, key=("name",), singular=Label("Data category", "個人情報項目"),
    plural=Label("Data categories", "個人情報項目"), order_by=(DataCategory.name,),
    group_by="appi_kind")

LINKS = Description(
    PurposeCategory, key=("purpose", "category"), singular=Label("Use of a category", "項目の利用"),
    plural=Label("Purpose × category", "利用目的×個人情報項目"),
    sheet_synonyms=("Purpose x category", "利用目的×項目"))
