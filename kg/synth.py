"""A synthetic scaling corpus for ``kg bench``: N articles that give the extractor real work.

Each article recombines the paragraph structure of the genre (headline, a lead with county
figures, three to five case stories told over several sentences with 他/她, an official's
quote, a closing line, a byline) from hand-written generic templates
(``kg/data/synth_templates.txt``, no corpus names in them). Slots are filled with
general resources only:

* persons: surnames from ``kg/data/person_surnames.txt`` and given-name characters from
  ``kg/data/synth_given_chars.txt``;
* places: real province / prefecture / county / township / village chains from jionlp's
  administrative gazetteer (``jionlp/dictionary/china_location.txt``);
* organizations: built from those places with generic suffixes (有限公司, 扶贫车间,
  专业合作社, 人力资源和社会保障局 and its short form 人社局 ...);
* figures: random (incomes per day, month and year, ranges, approximations, statistics).

The text then gets OCR-like layout noise: narrow or wide newspaper columns that break
lines mid-word and mid-name, spaced-out justified lines (``人 口 4299 人``), spaces around
numbers, and doubled photo-credit characters (``摄摄//…``).

Generation is deterministic for a seed, and article *i* is the same whatever N is (its
random stream is seeded by ``(seed, i)``), so the 100-article corpus is a prefix of the
1,000-article one. Next to each ``.txt`` the generator can write its gold annotation in
the GOLD-FORMAT (persons, places, organizations, cases with places, categories,
organizations and incomes, statistics), so ``kg eval`` also scores the synthetic corpus.
"""

from __future__ import annotations

import argparse
import functools
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.io import write_json, write_text
from kg.resources import data_file

__all__ = ["County", "SynthArticle", "load_counties", "load_templates", "synth_article",
           "write_corpus", "main"]

SLOT = re.compile(r"\{([A-Za-z0-9_]+(?::[^{}]*)?)\}")

# Generic vocabulary for organization names and program details (no corpus names).
PRODUCTS = ("服装", "电子", "竹编", "食品", "手套", "鞋业", "箱包", "藤编", "玩具", "刺绣", "制衣", "线缆")
INDUSTRIES = ("服饰", "电子科技", "食品", "农业开发", "家居用品", "机械制造", "包装材料", "纺织", "生物科技")
CROPS = ("蔬菜", "食用菌", "柑橘", "茶叶", "中药材", "猕猴桃", "花椒", "草莓", "核桃", "脆李")
SKILLS = ("焊工", "电工", "家政服务", "育婴员", "中式烹调", "电子商务", "挖掘机操作", "缝纫", "美容美发",
          "养老护理", "汽车维修", "面点制作")
POSTS = ("保洁员", "护路员", "护林员", "水管员", "信息录入员", "治安巡逻员", "河道巡查员")
OFFICIAL_ROLES = ("局长", "副局长", "相关负责人", "就业科科长", "主任")
STATIONS = ("社会保障服务中心", "劳动保障所", "社保所", "便民服务中心")
SCHOOLS = ("职业教育中心", "技工学校", "职业技术学校")


@dataclass(frozen=True)
class County:
    """A county-level unit with its chain upward and its townships' villages (from jionlp)."""

    province: str
    prefecture: str
    name: str
    short: str
    towns: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass
class SynthArticle:
    file_name: str
    text: str
    gold: dict[str, Any] = field(default_factory=dict)


# -- resources ---------------------------------------------------------------------------

def _rural_town(name: str) -> bool:
    return name.endswith(("镇", "乡")) and 2 <= len(name) <= 6 and not any(w in name for w in ("开发", "虚拟", "农场"))


def _rural_village(name: str) -> bool:
    return name.endswith("村") and 2 <= len(name) <= 6 and "虚拟" not in name


@functools.cache
def load_counties() -> tuple[County, ...]:
    """Counties with at least two townships that list villages, from jionlp's gazetteer.

    The file is a tab-indented tree: province, prefecture, county (name, code, short
    form), township, village."""
    counties: list[County] = []
    province = prefecture = ""
    county: tuple[str, str] | None = None
    towns: list[tuple[str, list[str]]] = []

    def flush() -> None:
        good = tuple((t, tuple(v)) for t, v in towns if v)
        if county and len(good) >= 2:
            counties.append(County(province, prefecture, county[0], county[1], good))

    from kg.nlp.gazetteer import gazetteer_file  # here: importing kg.nlp loads spaCy

    with open(gazetteer_file(), encoding="utf-8") as fh:
        for line in fh:
            depth = len(line) - len(line.lstrip("\t"))
            cols = line.strip().split("\t")
            if not cols or not cols[0]:
                continue
            if depth <= 2:
                flush()
                towns = []
                county = None
            if depth == 0:
                province = cols[0]
            elif depth == 1:
                prefecture = cols[0]
            elif depth == 2:
                short = cols[2] if len(cols) > 2 and len(cols[2]) >= 2 else cols[0]
                county = (cols[0], short)
            elif depth == 3 and county:
                towns.append((cols[0], []))
                if not _rural_town(cols[0]):
                    towns[-1] = ("", [])            # keep its villages out
            elif depth == 4 and towns and towns[-1][0] and _rural_village(cols[0]):
                towns[-1][1].append(cols[0])
    flush()
    return tuple(counties)


@functools.cache
def _surnames() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(single-character, compound) surnames from the shared surname lexicon."""
    words = [w for line in data_file("person_surnames.txt").read_text(encoding="utf-8").splitlines()
             if not line.lstrip().startswith("#") for w in line.split()]
    return tuple(w for w in words if len(w) == 1), tuple(w for w in words if len(w) == 2)


@functools.cache
def _given_chars() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for line in data_file("synth_given_chars.txt").read_text(encoding="utf-8").splitlines():
        if ":" in line and not line.startswith("#"):
            key, _, chars = line.partition(":")
            out[key.strip()] = tuple(chars.split())
    return out


@functools.cache
def load_templates() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Section -> [(categories, template)] from ``synth_templates.txt``."""
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    path = data_file("synth_templates.txt")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        head, tab, text = line.partition("\t")
        if not tab:
            raise ValueError(f"{path}:{n}: expected SECTION<TAB>TEXT")
        section, _, cats = head.partition(" ")
        out.setdefault(section, []).append((tuple(c for c in cats.split(",") if c), text))
    return out


# -- one article -------------------------------------------------------------------------

class _Writer:
    """Fills the slots of one article's templates and records its gold annotation."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.county = rng.choice(load_counties())
        self.used_names: set[str] = set()
        self.persons: list[str] = []
        self.ignore: list[str] = []
        self.places: dict[str, set[str]] = {}      # canonical -> aliases used
        self.orgs: dict[str, set[str]] = {}
        self.stats: list[dict[str, Any]] = []
        self.cases: list[dict[str, Any]] = []
        c = self.county
        self.bureau = f"{c.name}人力资源和社会保障局"
        self.bureau_s = f"{c.short}人社局"

    # names --------------------------------------------------------------------------
    def person(self, gender: str | None = None) -> str:
        rng = self.rng
        single, compound = _surnames()
        chars = _given_chars()
        gender = gender or rng.choice(("female", "male"))
        while True:
            sur = rng.choice(compound) if compound and rng.random() < 0.03 else rng.choice(single)
            pool = chars.get(gender, ()) + chars.get("any", ())
            given = "".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.3 else 2))
            name = sur + given
            if name not in self.used_names and len(set(given)) == len(given):
                self.used_names.add(name)
                return name

    def _place(self, name: str, canonical: str | None = None) -> str:
        self.places.setdefault(canonical or name, set()).add(name)
        return name

    def _org(self, name: str, canonical: str | None = None) -> str:
        self.orgs.setdefault(canonical or name, set()).add(name)
        return name

    # figures ------------------------------------------------------------------------
    def _income(self, case: dict | None, period: str, phase: str | None = None) -> str:
        rng = self.rng
        if period == "month":
            amount = rng.randrange(800, 2001, 100) if phase == "before" else rng.randrange(1500, 6001, 100)
        elif period == "day":
            amount = rng.randrange(80, 301, 10)
        else:
            amount = rng.randrange(12000, 90001, 1000)
        approx = False
        if period == "year" and amount % 10000 and rng.random() < 0.6:
            text = f"{amount / 10000:g}万"
        elif amount % 1000 == 0 and rng.random() < 0.5:
            text, approx = f"{amount}{rng.choice('多余')}", True
        else:
            text = str(amount)
        if case is not None:
            case["incomes"].append({"amount": amount, "period": period, "approx": approx})
        return text

    def _range(self, case: dict | None) -> str:
        low = self.rng.randrange(2000, 4001, 500)
        high = low + 1000
        if case is not None:
            case["incomes"].append({"amount": low, "amount_max": high, "period": "month", "approx": False})
        return f"{low}{self.rng.choice(('至', '-', '到'))}{high}"

    def _stat(self, spec: str) -> str:
        _, cat, unit = (spec.split(":") + ["", ""])[:3]
        value = self.rng.randrange(5, 60) if unit in ("个", "期", "场") else self.rng.randrange(100, 9000)
        stat = {"place": self.county.name, "value": value, "unit": unit, "text": ""}
        if cat and cat != "-":
            stat["category"] = cat
        self.stats.append(stat)
        return str(value)

    # slots --------------------------------------------------------------------------
    def fill(self, template: str, case: dict | None = None, ctx: dict[str, str] | None = None) -> str:
        rng, c = self.rng, self.county
        ctx = ctx or {}

        def case_org(name: str, canonical: str | None = None) -> str:
            self._org(name, canonical)
            if case is not None and (canonical or name) not in case["organizations"]:
                case["organizations"].append(canonical or name)
            return name

        def slot(m: re.Match) -> str:
            key = m.group(1)
            if key.startswith("stat:"):
                return self._stat(key)
            if key in ctx:
                value = ctx[key]
            elif key == "province":
                value = self._place(c.province)
            elif key == "prefecture":
                value = self._place(c.prefecture)
            elif key == "county":
                value = self._place(c.name)
            elif key == "county_s":
                value = self._place(c.short, c.name)
            elif key in ("town", "village"):
                value = self._place(ctx[f"_{key}"])
                if case is not None:
                    case["_levels"][key] = value
            elif key == "bureau":
                value = case_org(self.bureau)
            elif key == "bureau_s":
                value = case_org(self.bureau_s, self.bureau)
            elif key == "station":
                value = case_org(ctx["_town"] + ctx["_station"])
            elif key == "company":
                value = case_org(ctx["_company"])
            elif key == "workshop":
                value = case_org(f"{ctx['_village']}{ctx['_product']}扶贫车间")
            elif key == "coop":
                value = case_org(f"{ctx['_village']}{ctx['_crop']}种植专业合作社")
            elif key == "school":
                value = case_org(f"{c.short}{ctx['_school']}")
            elif key == "inc_m":
                value = self._income(case, "month", "after")
            elif key == "inc_m_before":
                value = self._income(case, "month", "before")
            elif key == "inc_d":
                value = self._income(case, "day")
            elif key == "inc_y":
                value = self._income(case, "year")
            elif key == "inc_range":
                value = self._range(case)
            elif key == "n":
                value = str(rng.randrange(2, 30))
            elif key == "n2":
                value = str(rng.randrange(10, 200))
            elif key == "big":
                value = str(rng.randrange(500, 9000))
            elif key == "wan":
                value = f"{rng.uniform(50, 5000):.2f}"
            elif key == "pct":
                value = str(rng.choice((rng.randrange(85, 100), round(rng.uniform(90, 100), 2))))
            elif key == "year":
                value = str(rng.randrange(2016, 2021))
            elif key == "mon":
                value = str(rng.randrange(1, 13))
            elif key == "day":
                value = str(rng.randrange(1, 29))
            elif key == "skill":
                value = ctx.get("_skill") or rng.choice(SKILLS)
            elif key == "industry":
                value = ctx.get("_crop") or rng.choice(CROPS)
            elif key == "post":
                value = rng.choice(POSTS)
            elif key == "O_role":
                value = rng.choice(OFFICIAL_ROLES)
            else:
                raise KeyError(f"synth_templates.txt: unknown slot {{{key}}}")
            return value

        return SLOT.sub(slot, template)

    def case_context(self) -> dict[str, str]:
        rng, c = self.rng, self.county
        town, villages = rng.choice(c.towns)
        gender = rng.choice(("female", "male"))
        name = self.person(gender)
        rel_gender = "male" if gender == "female" else "female"
        ctx = {
            "P": name, "he": "她" if gender == "female" else "他", "age": str(rng.randrange(26, 63)),
            "rel": "丈夫" if gender == "female" else "妻子", "R": "", "O": "",
            "_town": town, "_village": rng.choice(villages), "_product": rng.choice(PRODUCTS),
            "_crop": rng.choice(CROPS), "_skill": rng.choice(SKILLS), "_school": rng.choice(SCHOOLS),
            "_station": rng.choice(STATIONS), "_rel_gender": rel_gender,
            "_company": f"{c.short}{''.join(rng.sample(_given_chars()['any'], 2))}{rng.choice(INDUSTRIES)}有限公司",
        }
        return ctx


def synth_article(index: int, seed: int = 0) -> SynthArticle:
    """Article number ``index`` of the corpus for ``seed``: its text and its gold annotation."""
    rng = random.Random(f"fupin-synth:{seed}:{index}")
    w = _Writer(rng)
    t = load_templates()
    paras: list[str] = []
    article_ctx = {"_town": rng.choice(w.county.towns)[0], "_station": rng.choice(STATIONS)}
    article_ctx["_village"] = ""
    paras.append(w.fill(rng.choice(t["headline"])[1], ctx=dict(article_ctx)))
    for _, lead in rng.sample(t["lead"], k=rng.randrange(2, 4)):
        paras.append(w.fill(lead, ctx=dict(article_ctx)))
    policies = [p for _, p in rng.sample(t["policy"], k=rng.randrange(2, 5))]
    cases = rng.sample(t["case"], k=rng.randrange(9, 15))
    for n, (cats, template) in enumerate(cases):
        if n == len(cases) // 2 and policies:
            paras.append(w.fill(policies.pop(), ctx=dict(article_ctx)))
        ctx = w.case_context()
        w.persons.append(ctx["P"])
        if "{R}" in template:
            ctx["R"] = w.person(ctx["_rel_gender"])
            w.persons.append(ctx["R"])
        case: dict[str, Any] = {"person": ctx["P"], "places": [], "programs": [{"name": "", "category": cat}
                                                                            for cat in cats],
                                "organizations": [], "incomes": [], "_levels": {}}
        text = w.fill(template, case, ctx)
        levels = case.pop("_levels")
        case["places"] = [levels["village"]] if "village" in levels else (
            [levels["town"]] if "town" in levels else [w.county.name])
        w.cases.append(case)
        paras.extend(text.split(" ¶ "))

    for _, quote in rng.sample(t["quote"], k=rng.randrange(1, 3)):
        official = w.person()
        w.persons.append(official)
        paras.append(w.fill(quote, ctx={**article_ctx, "O": official}))
    paras.extend(w.fill(p, ctx=dict(article_ctx)) for p in policies)
    paras.append(w.fill(rng.choice(t["closing"])[1], ctx=dict(article_ctx)))

    reporter = w.person()
    w.ignore.append(reporter)
    if rng.random() < 0.3:
        byline = f"摄摄//{reporter}{reporter}"
    else:
        byline = f"（记者 {reporter}）"
    text = _layout(paras, byline, rng)

    file_name = f"synth_{index:05d}.txt"

    def entity(canonical: str, aliases: set[str]) -> str | list[str]:
        names = [canonical] + sorted(aliases - {canonical})
        return names[0] if len(names) == 1 else names

    gold = {
        "doc": file_name,
        "persons": list(dict.fromkeys(w.persons)),
        "ignore_persons": w.ignore,
        "places": [entity(k, v) for k, v in w.places.items()],
        "organizations": [entity(k, v) for k, v in w.orgs.items()],
        "cases": w.cases,
        "stats": w.stats,
    }
    return SynthArticle(file_name, text, gold)


# -- OCR-like layout ---------------------------------------------------------------------

_NUM = re.compile(r"(\d+(?:\.\d+)?)")


def _layout(paras: list[str], byline: str, rng: random.Random) -> str:
    """Break paragraphs into newspaper column lines and add OCR spacing noise."""
    width = rng.choice((rng.randrange(9, 14), rng.randrange(17, 25)))
    out: list[str] = [paras[0], ""]                  # the headline keeps its own line
    for para in paras[1:]:
        if rng.random() < 0.4:
            para = _NUM.sub(lambda m: f" {m.group(1)} ", para)        # "工资 3000 元"
        lines = [para[i:i + width] for i in range(0, len(para), width)]
        for k, line in enumerate(lines):
            if rng.random() < 0.08:                   # a justified line: "人 口 4299 人 ，实 现 了"
                line = " ".join(re.findall(r"\d+(?:\.\d+)?|\S", line))
            out.append((" " if k == 0 and rng.random() < 0.5 else "") + line)
        out.append("")
    out.append(byline)
    return "\n".join(out) + "\n"


# -- a corpus ----------------------------------------------------------------------------

def write_corpus(out_dir: str | Path, n: int, seed: int = 0, gold_dir: str | Path | None = None) -> list[Path]:
    """Write articles ``0 .. n-1`` as ``synth_NNNNN.txt`` (and their gold files) atomically."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        art = synth_article(i, seed)
        paths.append(write_text(out_dir / art.file_name, art.text))
        if gold_dir is not None:
            write_json(Path(gold_dir) / f"{art.file_name}.json", art.gold)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kg.synth", description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of articles")
    ap.add_argument("out", type=Path, help="folder for the .txt articles")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--gold", type=Path, help="also write gold files (GOLD-FORMAT) here")
    a = ap.parse_args(argv)
    write_corpus(a.out, a.n, a.seed, a.gold)
    print(f"wrote {a.n} articles to {a.out}" + (f" and their gold to {a.gold}" if a.gold else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
