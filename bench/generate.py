"""Realistic machine-learning bibliographies with planted duplicates, for benchmarks.

The reader/writer benchmark needs files shaped like a lab's real bibliography (long
author lists, LaTeX and UTF-8 accents, braced acronyms, math, abstracts, `@string`
venue macros, comments), and the dedupe benchmark needs duplicates whose ground truth
is known. Real duplicates are not copies: they come from different sources (an arXiv
preprint and its conference version, a pdf link and an abs link, "Ho, Jonathan" and
"J. Ho", LaTeX and Unicode accents, a dropped plural, a "DiT:" prefix), so each planted
duplicate is the same paper rendered through another "source" with one or two such
variations. Look-alikes that are *not* duplicates ("Consistency Models" and "Improved
Consistency Models") are planted too, so a matcher that only counts shared words is
caught out.

Everything is drawn from `random.Random(seed)`: the same (n, seed) gives the same bytes.

    python bench/generate.py 10000 out.bib truth.json
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

# --- vocabulary ------------------------------------------------------------------------

FIRST = (
    "Jonathan", "Ajay", "Pieter", "Jiaming", "Chenlin", "Stefano", "Yang", "Prafulla",
    "Alex", "Ilya", "Mark", "William", "Saining", "Robin", "Andreas", "Dominik",
    "Patrick", "Björn", "Diederik", "Max", "Tim", "Ian", "Yoshua", "Aäron", "Oriol",
    "Koray", "Danilo", "Shakir", "Jascha", "Eric", "Niru", "Surya", "Tero", "Miika",
    "Samuli", "Timo", "Jaakko", "Karsten", "Yaron", "Ricky", "Heli", "Matt", "Qiang",
    "Xingchao", "Chengyue", "Lu", "Jun", "Fan", "Hao", "Yilun", "Zhengyi", "Tianhong",
    "Kaiming", "Ross", "Piotr", "Léon", "Hervé", "Hervé", "Gül", "Çağlar", "Kıvanç",
    "Łukasz", "Søren", "Zoë", "José", "Iñigo", "Jürgen", "Sébastien", "Frédo", "Émilie",
    "Ana", "Noé", "Seungjun", "Jiwon", "Aditya", "Sanjeev", "Priya", "Mehdi", "Arash",
    "Karsten", "Francesco", "Giulia", "Matthias", "Bernhard", "Ondřej", "Jiří", "Mateusz",
)  # fmt: skip
LAST = (
    "Ho", "Jain", "Abbeel", "Song", "Meng", "Ermon", "Dhariwal", "Nichol", "Chen",
    "Sutskever", "Peebles", "Xie", "Rombach", "Blattmann", "Lorenz", "Esser", "Ommer",
    "Kingma", "Welling", "Salimans", "Goodfellow", "Bengio", "Courville", "Vinyals",
    "Kavukcuoglu", "Rezende", "Mohamed", "Sohl-Dickstein", "Weiss", "Maheswaranathan",
    "Ganguli", "Karras", "Aittala", "Laine", "Aila", "Lehtinen", "Kreis", "Lipman",
    "Ben-Hamu", "Nickel", "Le", "Liu", "Gong", "Lu", "Zhou", "Bao", "Li", "Zhu",
    "Wang", "Zhang", "He", "Girshick", "Dollár", "Bottou", "Jégou", "Gülçehre",
    "Kaiser", "Hauberg", "Müller", "Schölkopf", "Schmidhuber", "Sánchez", "Ibáñez",
    "Dvořák", "Černý", "Nowak", "Kim", "Park", "Ramesh", "Arora", "Sharma", "Vahdat",
    "Kautz", "Locatello", "Bešić", "Ødegaard", "Häusser", "Brändle", "Lefèvre",
    "Durand", "Çelik", "Yılmaz", "Kowalski", "Rossi", "Esposito", "Bauer", "Wójcik",
)  # fmt: skip
# Family names written with a `von` part.
VON = (("Aäron", "van den", "Oord"), ("Sjoerd", "van", "Steenkiste"), ("Jan-Willem", "van de", "Meent"), ("Ludwig", "von", "Bülow"))  # fmt: skip

ACRONYM = (
    "GAN", "VAE", "VQ-VAE", "DDPM", "DDIM", "CLIP", "ViT", "U-Net", "SDE", "ODE", "MCMC",
    "ELBO", "NeRF", "LoRA", "BERT", "GPT", "FID", "EBM", "MLP", "DiT", "LDM", "RL",
)  # fmt: skip
ADJ = (
    "Scalable", "Efficient", "Conditional", "Latent", "Hierarchical", "Discrete",
    "Continuous", "Variational", "Adversarial", "Implicit", "Consistent", "Robust",
    "Fast", "Stable", "Unified", "Masked", "Autoregressive", "Equivariant", "Sparse",
    "Causal", "Few-Step", "Guided", "Compositional", "Controllable", "Multimodal",
    "Self-Supervised", "Denoising", "Score-Based", "Energy-Based", "Flow-Based",
    "Probabilistic", "Geometric", "Temporal", "Neural", "Deep", "Invertible",
)  # fmt: skip
NOUN = (
    "Diffusion Models", "Normalizing Flows", "Autoencoders", "Transformers",
    "Generative Models", "Language Models", "Flow Matching", "Score Matching",
    "Image Synthesis", "Video Generation", "Representation Learning", "Sampling",
    "Distillation", "Tokenizers", "Neural Fields", "Point Clouds", "Graph Generation",
    "Protein Design", "Speech Synthesis", "Text-to-Image Generation", "Inpainting",
    "Super-Resolution", "Density Estimation", "Optimal Transport", "Bridges",
    "Schrödinger Bridges", "Rectified Flows", "Consistency Training", "Reward Models",
    "Preference Optimization", "World Models", "Motion Generation", "3D Generation",
)  # fmt: skip
TASK = (
    "High-Resolution Image Synthesis", "Molecule Generation", "Audio Generation",
    "Inverse Problems", "Text-Guided Editing", "Anomaly Detection", "Offline Reinforcement Learning",
    "Medical Imaging", "Weather Forecasting", "Trajectory Prediction", "Code Generation",
    "Long Video Generation", "Zero-Shot Classification", "Data Augmentation",
    "Uncertainty Quantification", "Compression", "Simulation-Based Inference",
)  # fmt: skip
WITH = (
    "Transformers", "Classifier-Free Guidance", "Stochastic Interpolants", "Learned Priors",
    "Sparse Attention", "Rectified Flow", "Adaptive Step Sizes", "Cross-Attention",
    "Latent Consistency", "Mixture of Experts", "Discrete Tokens", "Noise Schedules",
)  # fmt: skip
MATH = (
    r"$\epsilon$-Prediction", r"$f$-Divergences", r"$\mathcal{O}(1)$ Sampling",
    r"$k$-Nearest Neighbours", r"$\ell_2$ Regularisation", r"$\nabla_x \log p(x)$",
    r"$\beta$-{VAE}", r"$\alpha$-Blending", r"$\mathrm{SE}(3)$ Equivariance",
)  # fmt: skip
WORDS = (
    "we", "propose", "a", "novel", "method", "for", "learning", "generative", "models",
    "that", "scales", "to", "high-dimensional", "data", "our", "approach", "combines",
    "the", "strengths", "of", "diffusion", "and", "autoregressive", "training", "with",
    "an", "efficient", "sampler", "experiments", "on", "ImageNet", "CIFAR-10", "show",
    "state-of-the-art", "sample", "quality", "while", "using", "fewer", "network",
    "evaluations", "in", "addition", "provide", "theoretical", "analysis", "of", "the",
    "objective", "prove", "convergence", "under", "mild", "assumptions", "code", "is",
    "available", "benchmark", "results", "improve", "over", "prior", "work", "by",
    "large", "margin", "latent", "space", "noise", "schedule", "guidance", "likelihood",
)  # fmt: skip
SUBJECT = ("cs.LG", "cs.CV", "stat.ML", "cs.CL", "cs.AI", "eess.AS", "q-bio.BM")

# macro name -> (full name, kind, first year)
VENUES = {
    "neurips": ("Advances in Neural Information Processing Systems", "conf", 1987),
    "icml": ("Proceedings of the International Conference on Machine Learning", "conf", 1990),
    "iclr": ("International Conference on Learning Representations", "conf", 2013),
    "cvpr": ("Proceedings of the {IEEE/CVF} Conference on Computer Vision and Pattern Recognition", "conf", 1990),
    "iccv": ("Proceedings of the {IEEE/CVF} International Conference on Computer Vision", "conf", 1990),
    "eccv": ("European Conference on Computer Vision", "conf", 1990),
    "aistats": ("International Conference on Artificial Intelligence and Statistics", "conf", 2007),
    "uai": ("Conference on Uncertainty in Artificial Intelligence", "conf", 1990),
    "jmlr": ("Journal of Machine Learning Research", "journal", 2000),
    "tmlr": ("Transactions on Machine Learning Research", "journal", 2022),
    "tpami": ("{IEEE} Transactions on Pattern Analysis and Machine Intelligence", "journal", 1990),
}  # fmt: skip
DBLP_VENUE = {"neurips": "nips", "icml": "icml", "iclr": "iclr", "cvpr": "cvpr", "iccv": "iccv",
              "eccv": "eccv", "aistats": "aistats", "uai": "uai", "jmlr": "jmlr", "tmlr": "tmlr",
              "tpami": "pami"}  # fmt: skip
MONTH = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Unicode letter -> BibTeX LaTeX spelling (the way reference managers write accents).
LATEX = {
    "ä": r"{\"a}", "ö": r"{\"o}", "ü": r"{\"u}", "ë": r"{\"e}", "Ö": r"{\"O}",
    "é": r"{\'e}", "É": r"{\'E}", "á": r"{\'a}", "ó": r"{\'o}", "í": r"{\'\i}",
    "è": r"{\`e}", "ñ": r"{\~n}", "ç": r"{\c{c}}", "Ç": r"{\c{C}}", "ğ": r"{\u{g}}",
    "ı": r"{\i}", "ř": r"{\v{r}}", "Č": r"{\v{C}}", "š": r"{\v{s}}", "ć": r"{\'c}",
    "Ł": r"{\L}", "ł": r"{\l}", "ø": r"{\o}", "Ø": r"{\O}", "ý": r"{\'y}",
}  # fmt: skip
_ACCENTED = re.compile("[" + "".join(LATEX) + "]")


def latexify(text: str) -> str:
    return _ACCENTED.sub(lambda m: LATEX[m.group()], text)


# --- the paper, independent of how a source writes it ----------------------------------


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    von: str = ""


@dataclass(frozen=True)
class Paper:
    title: str  # plain words; acronyms marked as {ACR} already
    authors: tuple[Person, ...]
    year: int
    venue: str  # a VENUES macro, or "" for an arXiv-only preprint
    arxiv: str  # "" when the paper has no preprint
    doi: str = ""
    pages: str = ""
    volume: str = ""
    abstract: str = ""
    code: str = ""
    shortname: str = ""
    month: str = ""
    subject: str = "cs.LG"
    others: bool = False  # author list ends in "and others"


@dataclass(frozen=True)
class Style:
    """How one source writes a paper: key, names, accents, title case, entry form."""

    key: str = "scholar"  # scholar | bbt | dblp | mendeley | arxiv
    names: str = "last_first"  # last_first | first_last | initials
    latex: bool = True  # accents as LaTeX (else UTF-8)
    case: str = "as_is"  # as_is | sentence | protect_all
    form: str = "venue"  # venue | arxiv
    link: str = "abs"  # abs | pdf | none
    quote: bool = False  # quoted values instead of braces for some fields
    abstract: bool = True
    bare_year: bool = False
    macro: bool = True  # booktitle/journal as @string macro


@dataclass
class _State:
    rng: random.Random
    titles: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    arxiv_seq: dict[str, int] = field(default_factory=dict)


_STOP = {"a", "an", "the", "of", "for", "with", "on", "in", "to", "and", "via", "towards"}


def _norm_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower().replace("{", "").replace("}", "")).strip()


def _title(st: _State) -> str:
    rng = st.rng
    for _ in range(1000):
        r = rng.random()
        adj, noun = rng.choice(ADJ), rng.choice(NOUN)
        if r < 0.25:
            t = f"{adj} {noun} for {rng.choice(TASK)}"
        elif r < 0.45:
            t = f"{adj} {noun} with {rng.choice(WITH)}"
        elif r < 0.6:
            t = f"{{{rng.choice(ACRONYM)}}}-Based {noun} for {rng.choice(TASK)}"
        elif r < 0.7:
            t = f"{adj} {noun} via {rng.choice(MATH)}"
        elif r < 0.8:
            t = f"On the {rng.choice(ADJ)} Geometry of {noun} and {rng.choice(NOUN)}"
        elif r < 0.9:
            t = f"{adj} {{{rng.choice(ACRONYM)}}}s: {noun} for {rng.choice(TASK)}"
        else:
            t = f"{adj} and {rng.choice(ADJ)} {noun} with {{{rng.choice(ACRONYM)}}} Priors"
        norm = _norm_title(t)
        if norm not in st.titles:
            st.titles.add(norm)
            return t
    raise RuntimeError("title space exhausted")


def _person(rng: random.Random) -> Person:
    if rng.random() < 0.03:
        first, von, last = rng.choice(VON)
        return Person(first, last, von)
    first = rng.choice(FIRST)
    if rng.random() < 0.15:  # a middle initial
        first += f" {rng.choice('ABCDEFGHJKLMNPRSTW')}."
    return Person(first, rng.choice(LAST))


def _arxiv_id(st: _State, year: int) -> str:
    month = st.rng.randint(1, 12)
    yymm = f"{year % 100:02d}{month:02d}"
    seq = st.arxiv_seq.get(yymm, st.rng.randint(10, 900)) + st.rng.randint(1, 40)
    st.arxiv_seq[yymm] = seq
    return f"{yymm}.{seq:05d}"


def _abstract(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 7)):
        words = rng.choices(WORDS, k=rng.randint(10, 24))
        words[0] = words[0].capitalize()
        sentences.append(" ".join(words) + ".")
    if rng.random() < 0.3:
        sentences.insert(1, r"We reach an FID of $2.1$ with only $10\%$ of the compute.")
    return " ".join(sentences)


def _shortname(title: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z]+", title) if w.lower() not in _STOP]
    return "".join(w[0].upper() for w in words[:4])


def new_paper(st: _State) -> Paper:
    rng = st.rng
    year = rng.randint(2014, 2025)
    r = rng.random()
    if r < 0.55:
        venue = rng.choice(["neurips", "icml", "iclr", "cvpr", "iccv", "eccv", "aistats", "uai"])
    elif r < 0.7:
        venue = rng.choice(["jmlr", "tmlr", "tpami"])
        year = max(year, 2022) if venue == "tmlr" else year
    else:
        venue = ""
    has_arxiv = venue == "" or rng.random() < 0.8
    arxiv = _arxiv_id(st, year) if has_arxiv else ""
    n_auth = min(15, max(3, int(rng.lognormvariate(1.5, 0.5))))
    authors = tuple(_person(rng) for _ in range(n_auth))
    title = _title(st)
    doi = ""
    if venue in ("jmlr", "tmlr", "tpami", "cvpr", "iccv", "eccv") and rng.random() < 0.7:
        doi = f"10.{rng.choice(['1109', '1007', '5555'])}/{venue.upper()}.{year}.{rng.randint(10000, 99999)}"
    first_page = rng.randint(1, 9000)
    return Paper(
        title=title,
        authors=authors,
        year=year,
        venue=venue,
        arxiv=arxiv,
        doi=doi,
        pages=f"{first_page}--{first_page + rng.randint(8, 20)}" if venue and rng.random() < 0.7 else "",
        volume=str(year - 1986) if venue == "neurips" else (str(rng.randint(1, 40)) if venue in ("jmlr", "tpami") else ""),
        abstract=_abstract(rng) if rng.random() < 0.75 else "",
        code=f"https://github.com/{authors[0].last.lower().encode('ascii', 'ignore').decode() or 'lab'}/{_shortname(title).lower()}"
        if rng.random() < 0.3
        else "",
        shortname=_shortname(title) if rng.random() < 0.15 else "",
        month=rng.choice(MONTH) if rng.random() < 0.3 else "",
        subject=rng.choice(SUBJECT),
        others=n_auth >= 8 and rng.random() < 0.2,
    )  # fmt: skip


# --- rendering a paper as a source would write it -------------------------------------


def _ascii_fold(text: str) -> str:
    import unicodedata

    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("ı", "i")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _first_word(title: str) -> str:
    w: str
    for w in re.findall(r"[A-Za-z]+", title.replace("{", "").replace("}", "")):
        if w.lower() not in _STOP:
            return w.lower()
    return "paper"


def _key(st: _State, p: Paper, style: Style) -> str:
    last = re.sub(r"[^A-Za-z]", "", _ascii_fold(p.authors[0].last)) or "anon"
    if style.key == "bbt":
        words = [
            w.capitalize() for w in re.findall(r"[A-Za-z]+", p.title) if w.lower() not in _STOP
        ]
        base = f"{last.lower()}{''.join(words[:3])}{p.year}"
    elif style.key == "dblp":
        initials = "".join(
            re.sub(r"[^A-Za-z]", "", _ascii_fold(a.last))[:1] for a in p.authors[1:3]
        )
        where = (
            f"conf/{DBLP_VENUE.get(p.venue, 'corr')}"
            if style.form == "venue" and p.venue
            else "journals/corr"
        )
        base = f"DBLP:{where}/{last}{initials}{p.year % 100:02d}"
    elif style.key == "mendeley":
        base = f"{last}{p.year}"
    elif style.key == "arxiv" and p.arxiv and (style.form == "arxiv" or not p.venue):
        base = f"arXiv:{p.arxiv}"
    else:
        base = f"{last.lower()}{p.year}{_first_word(p.title)}"
    key, i = base, 0
    while key.lower() in st.keys:  # BibTeX keys are case-insensitive
        key = base + "abcdefghijklmnopqrstuvwxyz"[i % 26] * (1 + i // 26)
        i += 1
    st.keys.add(key.lower())
    return key


def _name(person: Person, style: Style) -> str:
    first, last, von = person.first, person.last, person.von
    if style.names == "initials":
        first = " ".join(
            f"{part[0]}." if not part.endswith(".") else part
            for part in first.replace("-", " ").split()
        )
    if style.names == "last_first":
        text = f"{von + ' ' if von else ''}{last}, {first}"
    else:
        text = f"{first} {von + ' ' if von else ''}{last}"
    return latexify(text) if style.latex else text


def _cased(title: str, case: str) -> str:
    if case == "sentence":  # lower-case all but the first word and braced parts
        out, depth, first = [], 0, True
        for tok in re.split(r"(\{|\}|\$[^$]*\$|\s+)", title):
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
            elif depth == 0 and tok and not tok.startswith("$") and not tok.isspace():
                tok = tok if first else tok.lower()
                first = False
            out.append(tok)
        return "".join(out)
    if case == "protect_all":
        return "{" + title + "}"
    return title


def render(st: _State, p: Paper, style: Style) -> tuple[str, str]:
    """(key, entry text) for paper `p` as written by a source with `style`."""
    key = _key(st, p, style)
    authors = " and ".join(_name(a, style) for a in p.authors) + (" and others" if p.others else "")
    title = _cased(p.title, style.case)
    title = latexify(title) if style.latex else title

    def val(text: str) -> str:
        return f'"{text}"' if style.quote and '"' not in text else "{" + text + "}"

    fields: list[tuple[str, str]] = [("author", val(authors)), ("title", "{" + title + "}")]
    if style.form == "venue" and p.venue:
        full, kind, _ = VENUES[p.venue]
        name = "booktitle" if kind == "conf" else "journal"
        etype = "inproceedings" if kind == "conf" else "article"
        fields.append((name, p.venue if style.macro else "{" + full + "}"))
        if p.volume:
            fields.append(("volume", val(p.volume)))
        if p.pages:
            fields.append(("pages", val(p.pages)))
        if p.month:
            fields.append(("month", p.month))
        fields.append(("year", str(p.year) if style.bare_year else val(str(p.year))))
        if p.doi:
            fields.append(("doi", val(p.doi)))
        if p.arxiv and style.link != "none":
            fields.append(("url", val(_arxiv_url(p.arxiv, style.link))))
    else:
        etype = "misc" if st.rng.random() < 0.8 else "article"
        if etype == "article":
            fields.append(("journal", "{arXiv preprint arXiv:" + p.arxiv + "}"))
        else:
            fields.append(("howpublished", "{arXiv:" + p.arxiv + "}"))
        year = p.year if style.form == "venue" else p.year - (st.rng.random() < 0.4)
        fields.append(("year", val(str(year))))
        fields += [
            ("eprint", val(p.arxiv)),
            ("archiveprefix", val("arXiv")),
            ("primaryclass", val(p.subject)),
        ]
        if st.rng.random() < 0.5:
            fields.append(("doi", val(f"10.48550/arXiv.{p.arxiv}")))
        if style.link != "none":
            fields.append(("url", val(_arxiv_url(p.arxiv, style.link))))
    if p.shortname:
        fields.append(("shortname", val(p.shortname)))
    if p.code:
        fields.append(("code", val(p.code)))
    if p.abstract and style.abstract:
        fields.append(("abstract", "{" + p.abstract + "}"))
    if st.rng.random() < 0.1:
        fields.append(
            ("keywords", val("Computer Science - Machine Learning, Statistics - Machine Learning"))
        )
    cap = st.rng.random() < 0.1  # some exporters write @InProceedings and Title case fields
    etype_s = etype.capitalize() if cap else etype
    body = ",\n".join(f"  {k.capitalize() if cap else k} = {v}" for k, v in fields)
    return key, f"@{etype_s}{{{key},\n{body}\n}}"


def _arxiv_url(arxiv: str, link: str) -> str:
    if link == "pdf":
        return f"https://arxiv.org/pdf/{arxiv}v{1 + int(arxiv[-1]) % 3}.pdf"
    return f"https://arxiv.org/abs/{arxiv}"


# --- duplicates and look-alikes --------------------------------------------------------

VARIANTS = ("arxiv", "link", "case", "names", "accents", "plural", "prefix")
_PLURAL = re.compile(
    r"\b(Models|Flows|Autoencoders|Transformers|Tokenizers|Fields|Clouds|Bridges|Priors)\b"
)


def _duplicate(st: _State, p: Paper, base: Style) -> tuple[Paper, Style, tuple[str, ...]]:
    """The same paper as another source would give it, and the variations applied."""
    rng = st.rng
    keys = [k for k in ("scholar", "bbt", "dblp", "mendeley", "arxiv") if k != base.key]
    style = replace(
        base, key=rng.choice(keys), abstract=rng.random() < 0.4, quote=rng.random() < 0.3
    )
    q = p
    choices = [v for v in VARIANTS if v != "plural" or _PLURAL.search(p.title)]
    if not p.arxiv:
        choices = [v for v in choices if v not in ("arxiv", "link")]
    applied = tuple(sorted(rng.sample(choices, k=rng.choice((1, 1, 2, 2, 3)))))
    for variant in applied:
        if variant == "arxiv" and p.venue and base.form == "venue":
            style = replace(style, form="arxiv")
        elif variant == "arxiv":  # the preprint's published version
            q = replace(
                q, venue=rng.choice(("neurips", "icml", "iclr")), year=min(2025, p.year + 1)
            )
            style = replace(style, form="venue")
        elif variant == "link":
            style = replace(style, link="pdf" if base.link != "pdf" else "abs")
        elif variant == "case":
            style = replace(
                style,
                case=rng.choice(
                    [c for c in ("as_is", "sentence", "protect_all") if c != base.case]
                ),
            )
        elif variant == "names":
            style = replace(
                style,
                names=rng.choice(
                    [n for n in ("last_first", "first_last", "initials") if n != base.names]
                ),
            )
        elif variant == "accents":
            style = replace(style, latex=not base.latex)
        elif variant == "plural":
            m = _PLURAL.search(q.title)
            assert m is not None
            q = replace(q, title=q.title[: m.end() - 1] + q.title[m.end() :])
        elif variant == "prefix":
            q = replace(q, title=f"{{{_shortname(q.title)}}}: {q.title}")
    return q, style, applied


def _lookalike(st: _State, p: Paper) -> Paper:
    """A different paper whose title contains the other's (same lab, later work)."""
    rng = st.rng
    kind = rng.randrange(3)
    if kind == 0:
        title = f"{rng.choice(('Improved', 'Latent', 'Conditional', 'Multiscale'))} {p.title}"
    elif kind == 1:
        title = (
            f"{p.title}: {rng.choice(('Scaling Laws', 'A Theoretical Analysis', 'Beyond Images'))}"
        )
    else:
        title = f"Towards {p.title}"
    st.titles.add(_norm_title(title))
    year = min(2025, p.year + rng.randint(0, 2))
    authors = p.authors[:1] + tuple(_person(rng) for _ in range(rng.randint(2, 6)))
    return replace(p, title=title, year=year, authors=authors, arxiv=_arxiv_id(st, year),
                   doi="", abstract=_abstract(rng), code="", shortname="")  # fmt: skip


def _style(rng: random.Random) -> Style:
    return Style(
        key=rng.choice(("scholar", "scholar", "scholar", "bbt", "dblp")),
        names=rng.choice(("last_first", "last_first", "first_last")),
        latex=rng.random() < 0.6,
        case=rng.choice(("as_is", "as_is", "as_is", "protect_all")),
        link=rng.choice(("abs", "abs", "none")),
        quote=rng.random() < 0.1,
        bare_year=rng.random() < 0.2,
        macro=rng.random() < 0.7,
    )


# --- the file -------------------------------------------------------------------------

HEADER = """% Generated by bench/generate.py: a synthetic bibliography of generative-model papers.
% Encoding: UTF-8

@comment{jabref-meta: databaseType:bibtex;}
"""


@dataclass(frozen=True)
class Generated:
    text: str
    duplicates: list[tuple[str, str]]  # (original key, duplicate key)
    lookalikes: list[tuple[str, str]]  # pairs that look alike but are different papers
    variants: dict[str, tuple[str, ...]]  # duplicate key -> the VARIANTS applied to it


def generate_detailed(n: int, seed: int = 0) -> Generated:
    rng = random.Random(seed)
    st = _State(rng)
    n_dup = round(n * 0.05) if n >= 10 else 0
    n_look = round(n * 0.02) if n >= 20 else 0
    n_base = n - n_dup - n_look
    items: list[tuple[str, str]] = []  # (key, text) in generation order
    bases: list[tuple[Paper, Style, str]] = []
    for _ in range(n_base):
        p, style = new_paper(st), _style(rng)
        key, text = render(st, p, style)
        items.append((key, text))
        bases.append((p, style, key))
    dups: list[tuple[str, str]] = []
    looks: list[tuple[str, str]] = []
    variants: dict[str, tuple[str, ...]] = {}
    picked = rng.sample(range(len(bases)), k=min(len(bases), n_dup + n_look))
    for j, idx in enumerate(picked):
        p, style, key = bases[idx]
        if j < n_dup:
            q, dstyle, applied = _duplicate(st, p, style)
            dkey, text = render(st, q, dstyle)
            dups.append((key, dkey))
            variants[dkey] = applied
        else:
            q = _lookalike(st, p)
            dkey, text = render(st, q, _style(rng))
            looks.append((key, dkey))
        items.append((dkey, text))
    rng.shuffle(items)
    out = [HEADER, "\n"]
    for name, (full, _, _) in VENUES.items():
        out.append(f"@string{{{name} = {{{full}}}}}\n")
    out.append("\n")
    for i, (_, text) in enumerate(items):
        if i % 250 == 0:
            out.append(
                f"@comment{{Section {i // 250 + 1}: imported {1 + i // 250} batch(es) ago}}\n\n"
            )
        elif rng.random() < 0.03:
            out.append(f"% TODO check venue of the next entry ({rng.choice(WORDS)})\n")
        out.append(text)
        out.append("\n\n")
    return Generated("".join(out), dups, looks, variants)


def generate(n: int, seed: int = 0) -> tuple[str, list[tuple[str, str]]]:
    """(bib text with `n` entries, ground-truth duplicate key pairs)."""
    g = generate_detailed(n, seed)
    return g.text, g.duplicates


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print("usage: python bench/generate.py N OUT.bib TRUTH.json [SEED]", file=sys.stderr)
        return 2
    n, out, truth = int(argv[0]), Path(argv[1]), Path(argv[2])
    g = generate_detailed(n, int(argv[3]) if len(argv) == 4 else 0)
    out.write_text(g.text, encoding="utf-8")
    truth.write_text(json.dumps([list(p) for p in g.duplicates], indent=1) + "\n", encoding="utf-8")
    print(
        f"{out}: {n} entries, {len(g.duplicates)} planted duplicates, {len(g.lookalikes)} look-alikes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
