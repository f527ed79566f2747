"""A funder's Community Health Needs Assessment: ranked needs and places with need indices."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core import translations
from grantflow.core.db import UTCDateTime, db, utcnow


class PriorityNeed(db.Model):
    __tablename__ = "priority_needs"
    __table_args__ = (UniqueConstraint("funder_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int]
    weight: Mapped[Optional[Decimal]] = mapped_column(Numeric(8, 3))
    description: Mapped[str] = mapped_column(Text, default="")


class Place(db.Model):
    """A census tract, ZCTA, county or block group with its need index (e.g. SVI RPL_THEMES, 0-1)."""

    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("funder_id", "geoid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    geoid: Mapped[str] = mapped_column(String(15))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="tract")
    need_index: Mapped[Optional[float]]
    theme1: Mapped[Optional[float]]
    theme2: Mapped[Optional[float]]
    theme3: Mapped[Optional[float]]
    theme4: Mapped[Optional[float]]
    population: Mapped[Optional[int]]
    is_priority: Mapped[bool] = mapped_column(default=False)
    source: Mapped[Optional[str]] = mapped_column(String(80))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlaceVintage(db.Model):
    """The funder's places as they stood for one closed program (grantflow/chna/vintage.py): taken
    before the places first change after the program closed, so its audit and scores keep them."""

    __tablename__ = "place_vintages"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sources: Mapped[str] = mapped_column(String(500), default="")  # the places' import sources


class VintagePlace(db.Model):
    """One place of a vintage, as it was (no foreign key to `places`: the copy outlives changes)."""

    __tablename__ = "vintage_places"

    program_id: Mapped[int] = mapped_column(ForeignKey("place_vintages.program_id", ondelete="CASCADE"),
                                            primary_key=True)
    place_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    geoid: Mapped[str] = mapped_column(String(15))
    name: Mapped[str] = mapped_column(String(200))
    need_index: Mapped[Optional[float]]
    population: Mapped[Optional[int]]
    is_priority: Mapped[bool] = mapped_column(default=False)


class ZipTract(db.Model):
    """One line of the funder's ZIP–tract crosswalk (HUD USPS layout): a ZIP code's share of
    addresses in one of the funder's tracts, with the city the Postal Service prefers for the ZIP
    and, where the funder adds one, a neighborhood name. People find their tracts by these."""

    __tablename__ = "zip_tracts"
    __table_args__ = (UniqueConstraint("funder_id", "zip", "geoid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    zip: Mapped[str] = mapped_column(String(5))
    geoid: Mapped[str] = mapped_column(String(11))
    city: Mapped[Optional[str]] = mapped_column(String(100))
    state: Mapped[Optional[str]] = mapped_column(String(2))
    neighborhood: Mapped[Optional[str]] = mapped_column(String(100))
    res_ratio: Mapped[Optional[float]]
    bus_ratio: Mapped[Optional[float]]
    oth_ratio: Mapped[Optional[float]]
    tot_ratio: Mapped[Optional[float]]
    source: Mapped[Optional[str]] = mapped_column(String(80))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# The needs as applicants and advisors read them, in their language (grantflow/core/translations.py).
translations.register("need", PriorityNeed, ("name", "description"))
