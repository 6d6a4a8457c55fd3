"""China's statutory public holidays (《全国年节及纪念日放假办法》, as amended in 2024) projected
onto a year for which no State Council notice is available.

Since 2025 the statute grants 13 days: 元旦 1 (1 January), 春节 4 (农历除夕 and 正月初一 to
初三), 清明 1 (the day of the 清明 solar term), 劳动节 2 (1–2 May), 端午 1 (五月初五),
中秋 1 (八月十五) and 国庆 3 (1–3 October). Each year's notice then adds bridging days and
make-up working weekends (调休); those cannot be predicted, which is why a projected year is
*provisional* (see zhaoyin.lib.workdays and docs/calendar.md).

Lunar dates come from the ``lunardate`` package. The 清明 solar term is computed
astronomically: the instant the Sun's apparent geocentric longitude reaches 15°, from a
truncated VSOP87 series for the Earth (the terms of Meeus, *Astronomical Algorithms*,
2nd ed., appendix III), with nutation, aberration and the FK5 correction, converted from
Terrestrial Time to Beijing time (UTC+8) with a polynomial ΔT. The result is within about
a minute of published times; the nearest 清明 instant to midnight in 2004–2099 is 10
minutes away (2071), so the date is exact over the whole supported range. A test checks
it against chinesecalendar for 2004–2026.

Pure Python: no Django.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from lunardate import LunarDate

#: Stable keys for the holidays (display names are translated by the web layer).
NEW_YEAR: Final = "new_year"
SPRING_FESTIVAL: Final = "spring_festival"
TOMB_SWEEPING: Final = "tomb_sweeping"
LABOUR_DAY: Final = "labour_day"
DRAGON_BOAT: Final = "dragon_boat"
MID_AUTUMN: Final = "mid_autumn"
NATIONAL_DAY: Final = "national_day"
#: One-off holidays in the seed data (e.g. the 2015 anti-fascist victory day).
SPECIAL: Final = "special"

HOLIDAY_KEYS: Final = (
    NEW_YEAR, SPRING_FESTIVAL, TOMB_SWEEPING, LABOUR_DAY, DRAGON_BOAT, MID_AUTUMN, NATIONAL_DAY,
)

#: lunardate handles lunar years 1900–2099.
MIN_YEAR: Final = 1901
MAX_YEAR: Final = 2099

# --- the Sun's apparent longitude ------------------------------------------------------------
# Truncated VSOP87D series for the Earth's heliocentric longitude L and radius R: rows of
# (A, B, C) meaning A·cos(B + C·τ), τ in Julian millennia from J2000.0, A in 1e-8 rad / AU.

_L0: Final = (
    (175347046, 0, 0), (3341656, 4.6692568, 6283.07585), (34894, 4.6261, 12566.1517),
    (3497, 2.7441, 5753.3849), (3418, 2.8289, 3.5231), (3136, 3.6277, 77713.7715),
    (2676, 4.4181, 7860.4194), (2343, 6.1352, 3930.2097), (1324, 0.7425, 11506.7698),
    (1273, 2.0371, 529.691), (1199, 1.1096, 1577.3435), (990, 5.233, 5884.927),
    (902, 2.045, 26.298), (857, 3.508, 398.149), (780, 1.179, 5223.694),
    (753, 2.533, 5507.553), (505, 4.583, 18849.228), (492, 4.205, 775.523),
    (357, 2.92, 0.067), (317, 5.849, 11790.629), (284, 1.899, 796.298),
    (271, 0.315, 10977.079), (243, 0.345, 5486.778), (206, 4.806, 2544.314),
    (205, 1.869, 5573.143), (202, 2.458, 6069.777), (156, 0.833, 213.299),
    (132, 3.411, 2942.463), (126, 1.083, 20.775), (115, 0.645, 0.98),
    (103, 0.636, 4694.003), (102, 0.976, 15720.839), (102, 4.267, 7.114),
    (99, 6.21, 2146.17), (98, 0.68, 155.42), (86, 5.98, 161000.69), (85, 1.3, 6275.96),
    (85, 3.67, 71430.7), (80, 1.81, 17260.15), (79, 3.04, 12036.46), (75, 1.76, 5088.63),
    (74, 3.5, 3154.69), (74, 4.68, 801.82), (70, 0.83, 9437.76), (62, 3.98, 8827.39),
    (61, 1.82, 7084.9), (57, 2.78, 6286.6), (56, 4.39, 14143.5), (56, 3.47, 6279.55),
    (52, 0.19, 12139.55), (52, 1.33, 1748.02), (51, 0.28, 5856.48), (49, 0.49, 1194.45),
    (41, 5.37, 8429.24), (41, 2.4, 19651.05), (39, 6.17, 10447.39), (37, 6.04, 10213.29),
    (37, 2.57, 1059.38), (36, 1.71, 2352.87), (36, 1.78, 6812.77), (33, 0.59, 17789.85),
    (30, 0.44, 83996.85), (30, 2.74, 1349.87), (25, 3.16, 4690.48),
)
_L1: Final = (
    (628331966747, 0, 0), (206059, 2.678235, 6283.07585), (4303, 2.6351, 12566.1517),
    (425, 1.59, 3.523), (119, 5.796, 26.298), (109, 2.966, 1577.344), (93, 2.59, 18849.23),
    (72, 1.14, 529.69), (68, 1.87, 398.15), (67, 4.41, 5507.55), (59, 2.89, 5223.69),
    (56, 2.17, 155.42), (45, 0.4, 796.3), (36, 0.47, 775.52), (29, 2.65, 7.11),
    (21, 5.34, 0.98), (19, 1.85, 5486.78), (19, 4.97, 213.3), (17, 2.99, 6275.96),
    (16, 0.03, 2544.31), (16, 1.43, 2146.17), (15, 1.21, 10977.08), (12, 2.83, 1748.02),
    (12, 3.26, 5088.63), (12, 5.27, 1194.45), (12, 2.08, 4694.0), (11, 0.77, 553.57),
    (10, 1.3, 6286.6), (10, 4.24, 1349.87), (9, 2.7, 242.73), (9, 5.64, 951.72),
    (8, 5.3, 2352.87), (6, 2.65, 9437.76), (6, 4.67, 4690.48),
)
_L2: Final = (
    (52919, 0, 0), (8720, 1.0721, 6283.0758), (309, 0.867, 12566.152), (27, 0.05, 3.52),
    (16, 5.19, 26.3), (16, 3.68, 155.42), (10, 0.76, 18849.23), (9, 2.06, 77713.77),
    (7, 0.83, 775.52), (5, 4.66, 1577.34), (4, 1.03, 7.11), (4, 3.44, 5573.14),
    (3, 5.14, 796.3), (3, 6.05, 5507.55), (3, 1.19, 242.73), (3, 6.12, 529.69),
    (3, 0.31, 398.15), (3, 2.28, 553.57), (2, 4.38, 5223.69), (2, 3.75, 0.98),
)
_L3: Final = (
    (289, 5.844, 6283.076), (35, 0, 0), (17, 5.49, 12566.15), (3, 5.2, 155.42),
    (1, 4.72, 3.52), (1, 5.3, 18849.23), (1, 5.97, 242.73),
)
_L4: Final = ((114, 3.142, 0), (8, 4.13, 6283.08), (1, 3.84, 12566.15))
_L5: Final = ((1, 3.14, 0),)
_R0: Final = (
    (100013989, 0, 0), (1670700, 3.0984635, 6283.07585), (13956, 3.05525, 12566.1517),
    (3084, 5.1985, 77713.7715), (1628, 1.1739, 5753.3849), (1576, 2.8469, 7860.4194),
    (925, 5.453, 11506.77), (542, 4.564, 3930.21), (472, 3.661, 5884.927),
    (346, 0.964, 5507.553), (329, 5.9, 5223.694), (307, 0.299, 5573.143),
    (243, 4.273, 11790.629), (212, 5.847, 1577.344), (186, 5.022, 10977.079),
    (175, 3.012, 18849.228), (110, 5.055, 5486.778), (98, 0.89, 6069.78),
    (86, 5.69, 15720.84), (86, 1.27, 161000.69), (65, 0.27, 17260.15), (63, 0.92, 529.69),
    (57, 2.01, 83996.85), (56, 5.24, 71430.7), (49, 3.25, 2544.31), (47, 2.58, 775.52),
    (45, 5.54, 9437.76), (43, 6.01, 6275.96), (39, 5.36, 4694.0), (38, 2.39, 8827.39),
    (37, 0.83, 19651.05), (37, 4.9, 12139.55), (36, 1.67, 12036.46), (35, 1.84, 2942.46),
    (33, 0.24, 7084.9), (32, 0.18, 5088.63), (32, 1.78, 398.15), (28, 1.21, 6286.6),
    (28, 1.9, 6279.55), (26, 4.59, 10447.39),
)
_R1: Final = (
    (103019, 1.10749, 6283.07585), (1721, 1.0644, 12566.1517), (702, 3.142, 0),
    (32, 1.02, 18849.23), (31, 2.84, 5507.55), (25, 1.32, 5223.69), (18, 1.42, 1577.34),
    (10, 5.91, 10977.08), (9, 1.42, 6275.96), (9, 0.27, 5486.78),
)
_R2: Final = (
    (4359, 5.7846, 6283.0758), (124, 5.579, 12566.152), (12, 3.14, 0), (9, 3.63, 77713.77),
    (6, 1.87, 5573.14), (3, 5.47, 18849.23),
)
_R3: Final = ((145, 4.273, 6283.076), (7, 3.92, 12566.15))
_R4: Final = ((4, 2.56, 6283.08),)

_Series = tuple[tuple[float, float, float], ...]

_J2000: Final = 2451545.0
#: Julian Day of 0001-01-01 00:00 minus its proleptic ordinal (date.toordinal() == 1).
_JD_ORDINAL_OFFSET: Final = 1721424.5
#: The Sun's mean motion in longitude, degrees per day (a good Newton step).
_SUN_DEG_PER_DAY: Final = 0.98564736


def _vsop(series: tuple[_Series, ...], tau: float) -> float:
    total = 0.0
    for power, terms in enumerate(series):
        total += sum(a * math.cos(b + c * tau) for a, b, c in terms) * tau**power
    return total / 1e8


def sun_apparent_longitude(jde: float) -> float:
    """The Sun's apparent geocentric longitude in degrees [0, 360) at Julian Ephemeris Day ``jde``.

    Meeus chapter 25 (higher accuracy): Θ = L + 180°, FK5 correction −0.09033″, nutation in
    longitude (four leading terms), aberration −20.4898″ / R.
    """
    tau = (jde - _J2000) / 365250.0
    big_t = tau * 10.0
    earth_l = _vsop((_L0, _L1, _L2, _L3, _L4, _L5), tau)
    earth_r = _vsop((_R0, _R1, _R2, _R3, _R4), tau)
    omega = math.radians(125.04452 - 1934.136261 * big_t)
    sun_mean = math.radians(280.4665 + 36000.7698 * big_t)
    moon_mean = math.radians(218.3165 + 481267.8813 * big_t)
    nutation = (
        -17.20 * math.sin(omega) - 1.32 * math.sin(2 * sun_mean)
        - 0.23 * math.sin(2 * moon_mean) + 0.21 * math.sin(2 * omega)
    )
    arcsec = -0.09033 + nutation - 20.4898 / earth_r
    return (math.degrees(earth_l) + 180.0 + arcsec / 3600.0) % 360.0


def delta_t_seconds(year: int) -> float:
    """TT − UT in seconds (Espenak & Meeus polynomials; a minute's error moves nothing here)."""
    t = year - 2000
    if year < 2005:
        return 63.86 + 0.3345 * t - 0.060374 * t**2 + 0.0017275 * t**3
    if year < 2050:
        return 62.92 + 0.32217 * t + 0.005589 * t**2
    u = (year - 1820) / 100
    return -20 + 32 * u**2 - 0.5628 * (2150 - year)


def solar_term_instant_jde(year: int, longitude: float, guess: dt.date) -> float:
    """The JDE (Terrestrial Time) at which the Sun's apparent longitude equals ``longitude``."""
    jde = guess.toordinal() + _JD_ORDINAL_OFFSET
    for _ in range(30):
        delta = (longitude - sun_apparent_longitude(jde) + 180.0) % 360.0 - 180.0
        jde += delta / _SUN_DEG_PER_DAY
        if abs(delta) < 1e-7:
            break
    return jde


def _beijing_date(jde: float, year: int) -> tuple[dt.date, float]:
    """The Beijing (UTC+8) calendar date and hour of day of an instant given as JDE."""
    local = jde - delta_t_seconds(year) / 86400.0 + 8.0 / 24.0 + 0.5
    day = math.floor(local)
    return dt.date.fromordinal(int(day) - 1721425), (local - day) * 24.0


def qingming_instant(year: int) -> tuple[dt.date, float]:
    """The date and Beijing hour of the 清明 solar term (apparent solar longitude 15°)."""
    return _beijing_date(solar_term_instant_jde(year, 15.0, dt.date(year, 4, 5)), year)


@functools.cache
def qingming(year: int) -> dt.date:
    """The date of 清明 (Beijing time) in ``year``."""
    return qingming_instant(year)[0]


def _lunar(year: int, month: int, day: int) -> dt.date:
    solar: dt.date = LunarDate(year, month, day).to_solar_date()
    return solar


def spring_festival(year: int) -> dt.date:
    """正月初一 of the lunar year that starts in Gregorian ``year``."""
    return _lunar(year, 1, 1)


@functools.cache
def statutory_holidays(year: int) -> Mapping[dt.date, str]:
    """The statutory holidays of ``year`` (date → holiday key), without bridges or 调休.

    Only dates inside ``year`` are returned (除夕 is never in the previous year: 正月初一
    falls between 21 January and 20 February).
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"no statutory projection for year {year} (supported {MIN_YEAR}–{MAX_YEAR})")
    days: dict[dt.date, str] = {}
    one = dt.timedelta(days=1)
    # Later entries win where two coincide (中秋 on 1 October is named National Day).
    days[dt.date(year, 1, 1)] = NEW_YEAR
    first = spring_festival(year)
    for offset in range(-1, 3):  # 除夕, 初一, 初二, 初三
        days[first + offset * one] = SPRING_FESTIVAL
    days[qingming(year)] = TOMB_SWEEPING
    days[dt.date(year, 5, 1)] = LABOUR_DAY
    days[dt.date(year, 5, 2)] = LABOUR_DAY
    days[_lunar(year, 5, 5)] = DRAGON_BOAT
    days[_lunar(year, 8, 15)] = MID_AUTUMN
    for d in (1, 2, 3):
        days[dt.date(year, 10, d)] = NATIONAL_DAY
    return MappingProxyType(dict(sorted(days.items())))
