"""The checker's side of proofs by composition: the argument must fit the claim's structures.

A structure is data: an input, an entry formula, or an apply / a stack node that binds
placeholders. Comparing two binders renames both sides' placeholders to common names
that are fresh against the free inputs of both bodies, so a free input can never be
captured (the k-th name is the left placeholder's, with primes appended while it is a
free input of either body or already chosen; the prover follows the same convention).
"""

from __future__ import annotations

import sympy as sp

from .matrix import MatInput, TensorInput
from .replay_entail import entails
from .replay_parse import Rejected, parse, symbols

__all__ = ["check_argument", "free_inputs", "common_names", "rename", "check_shapes"]


def _node(node) -> tuple[str, dict]:
    if not isinstance(node, dict) or len(node) != 1:
        raise Rejected("malformed structure: a node is one of input, formula, apply, stack")
    (kind, body), = node.items()
    if kind not in ("input", "formula", "apply", "stack") or not isinstance(body, dict):
        raise Rejected(f"malformed structure: unknown node {kind!r}")
    return kind, body


def _placeholders(kind, body) -> list[str]:
    return [p["name"] for p in body["placeholders"]] if kind == "apply" else [body["placeholder"]["name"]]


def free_inputs(node) -> set[str]:
    """Input names a structure uses without binding them (nested apply / stack nodes bind their own)."""
    kind, body = _node(node)
    if kind == "input":
        return {body["name"]}
    if kind == "formula":
        return {m.name for m in parse(body["entry"]).atoms(MatInput, TensorInput)}
    if kind == "apply":
        inner = free_inputs(body["body"]) - set(_placeholders(kind, body))
        return inner.union(*(free_inputs(a) for a in body["args"]))
    return free_inputs(body["start"]) | (free_inputs(body["step"]) - set(_placeholders(kind, body)))


def common_names(left: list[str], left_body, right_body, right_binds: list[str]) -> list[str]:
    """Names for the k-th placeholders of both sides: the left's name, primed while it is a free
    input of either body (placeholders of that body excluded) or already chosen."""
    taken = (free_inputs(left_body) - set(left)) | (free_inputs(right_body) - set(right_binds))
    chosen: list[str] = []
    for name in left:
        while name in taken or name in chosen:
            name += "'"
        chosen.append(name)
    return chosen


def rename(node, names: dict):
    """The structure with free placeholders renamed (old name -> new); binders shadow. Rejected
    where a nested binder would capture a new name."""
    names = {k: v for k, v in names.items() if k != v}
    if not names:
        return node
    kind, body = _node(node)
    if kind == "input":
        return {"input": {**body, "name": names.get(body["name"], body["name"])}}
    if kind == "formula":
        entry = parse(body["entry"])
        swap = {m: type(m)(names[m.name], *m.args[1:]) for m in entry.atoms(MatInput, TensorInput) if m.name in names}
        return {"formula": {**body, "entry": sp.srepr(entry.xreplace(swap))}}
    binds = set(_placeholders(kind, body))
    inner = {k: v for k, v in names.items() if k not in binds}
    scope = body["body"] if kind == "apply" else body["step"]
    if binds & set(inner.values()) and free_inputs(scope) & set(inner):
        raise Rejected("renaming placeholders would capture a name bound inside")
    if kind == "apply":
        return {"apply": {**body, "body": rename(body["body"], inner), "args": [rename(x, names) for x in body["args"]]}}
    return {"stack": {**body, "start": rename(body["start"], names), "step": rename(body["step"], inner)}}


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(sp.expand(x - y) == 0 for x, y in zip(a, b))


def _declared(decl: dict) -> MatInput:
    """An input node's or a placeholder's declaration {name, shape} as the input node the entries read."""
    if not isinstance(decl, dict) or not isinstance(decl.get("name"), str) or not isinstance(decl.get("shape"), list) \
            or len(decl["shape"]) != 2 or "interval" in decl:
        raise Rejected("malformed structure: an input or a placeholder is a matrix with a name and a shape (rows, cols)")
    return MatInput(decl["name"], *(parse(x) for x in decl["shape"]))


def _formula_shape(body: dict) -> tuple:
    if "rows" not in body or "cols" not in body:
        raise Rejected("malformed structure: a formula without its shape (rows, cols); re-create the certificate "
                       "with 'symcheck check --certificates'")
    return parse(body["rows"]), parse(body["cols"])


def check_shapes(node, bound: dict, free: dict) -> tuple:
    """The shape of a structure, checking on the way that every input is read with one declaration (a name
    bound by an apply or a stack with its placeholder's, a free one with the same one everywhere: `free`
    collects them) and that a placeholder has its argument's shape and a stack's step keeps it. A lemma
    about a placeholder of another shape, or an input read as two matrices, would say nothing of the claim."""
    kind, body = _node(node)
    if kind == "input":
        reads = [_declared(body)]
    elif kind == "formula":
        entry = parse(body["entry"])
        if entry.atoms(sp.IndexedBase):     # unseen by free_inputs: a placeholder of its name would capture it
            raise Rejected("malformed structure: an entry formula reads an input by its label, not as a declared input")
        reads = sorted(entry.atoms(MatInput, TensorInput), key=sp.default_sort_key)
    else:
        reads = []
    for m in reads:
        known = bound.get(m.name) or free.setdefault(m.name, m)
        if known != m:
            raise Rejected(f"input {m.name!r} is read as {sp.srepr(known)} and as {sp.srepr(m)}")
    if kind == "input":
        return tuple(reads[0].shape)
    if kind == "formula":
        return _formula_shape(body)
    if kind == "apply":
        args = [check_shapes(a, bound, free) for a in body["args"]]
        placeholders = [_declared(p) for p in body["placeholders"]]
        if len(args) != len(placeholders):
            raise Rejected("an apply binds as many placeholders as it has arguments")
        for p, shape in zip(placeholders, args):
            if not _same(tuple(p.shape), shape):
                raise Rejected(f"placeholder {p.name!r} has the shape {p.shape}, its argument {shape}")
        return check_shapes(body["body"], {**bound, **{p.name: p for p in placeholders}}, free)
    start, p = check_shapes(body["start"], bound, free), _declared(body["placeholder"])
    if not _same(tuple(p.shape), start) or not _same(check_shapes(body["step"], {**bound, p.name: p}, free), start):
        raise Rejected(f"a stack's placeholder {p.name!r} or its step's output is not of the start's shape {start}")
    layer, outside = parse(body["layer"]), _mentions(body["start"]) | parse(body["depth"]).free_symbols
    outside |= {x for m in (p, *free.values()) for d in m.shape for x in d.free_symbols}
    if not isinstance(layer, sp.Symbol) or layer in outside:
        raise Rejected(f"a stack's layer index {layer} is also a size of its start, depth or inputs: the lemma would "
                       "quantify the two together")
    return start


def _parts(node) -> tuple[list[str], list]:
    """(the texts a structure node holds itself, its sub-structures)."""
    kind, body = _node(node)
    match kind:
        case "input":
            return body["shape"], []
        case "formula":
            return [body["entry"], body["rows"], body["cols"]], []
        case "apply":
            return [x for p in body["placeholders"] for x in p["shape"]], [body["body"], *body["args"]]
        case _:
            return [body["layer"], body["depth"], *body["placeholder"]["shape"]], [body["start"], body["step"]]


def _mentions(node) -> set:
    """The symbols a structure's texts mention (entries, shapes, depths, layers), bound ones included."""
    texts, inner = _parts(node)
    return set().union(*(symbols(t)[0] for t in texts), *(_mentions(n) for n in inner))


def _layers(node) -> set:
    """The layer indices of the stacks in a structure."""
    kind, body = _node(node)
    own = {parse(body["layer"])} if kind == "stack" else set()
    return own.union(*(_layers(n) for n in _parts(node)[1]))


def _binder_pair(a: dict, b: dict, kind: str):
    """Both bodies with their placeholders renamed to the common names, and those names."""
    pa, pb = _placeholders(kind, a), _placeholders(kind, b)
    scope = "body" if kind == "apply" else "step"
    names = common_names(pa, a[scope], b[scope], pb)
    return rename(a[scope], dict(zip(pa, names))), rename(b[scope], dict(zip(pb, names))), set(names)


def _pairs(constraints) -> list[tuple]:
    if not isinstance(constraints, list) or not all(isinstance(c, list) and len(c) == 2 for c in constraints):
        raise Rejected("malformed certificate: constraints are pairs [lo, hi]")
    return [(parse(lo), parse(hi)) for lo, hi in constraints]


def _within(needed: list, stated: list) -> bool:
    """Do the claim's constraints `stated` (and sizes >= 1) entail each of the lemma's `needed`? A lemma proved
    under more (a layer l <= 20 that a step declares) covers only part of the claim's domain."""
    sizes = {x for pair in needed + stated for e in pair for x in e.free_symbols
             if isinstance(x, sp.Symbol) and x.is_integer and x.is_positive}
    facts = tuple((sp.Integer(1), x) for x in sorted(sizes, key=lambda x: x.name)) + tuple(stated)
    return all(entails(facts, lo, hi) for lo, hi in needed)


def _lemma_states(cert: dict, lhs: dict, rhs: dict, bound: set[str], assumed: list, stated: list) -> dict:
    """The lemma certificate proves exactly lhs ≡ rhs, assuming only what the claim assumes, nothing of
    the bound placeholders (they are instantiated at arbitrary matrices), and no size constraint that
    the claim's (`stated`) do not entail."""
    if any(a not in assumed or a["input"] in bound for a in cert["claim"]["assumptions"]):
        raise Rejected("it assumes what the claim does not, or something of a placeholder")
    if not _within(_pairs(cert["claim"]["constraints"]), stated):
        raise Rejected("it holds under a size constraint the claim does not state")
    if cert.get("kind") == "composition":
        if cert["claim"]["lhs"] != lhs or cert["claim"]["rhs"] != rhs:
            raise Rejected("its claim is not the one the argument needs here")
        return cert["claim"]
    for side, node in (("lhs", lhs), ("rhs", rhs)):
        if "formula" not in node or parse(cert[side]["start"]) != parse(node["formula"]["entry"]):
            raise Rejected(f"its {side} is not the entry formula the argument needs here")
        if cert["claim"]["row"] != node["formula"]["row"] or cert["claim"]["col"] != node["formula"]["col"]:
            raise Rejected("it compares another entry than the argument needs")
        if not _same((parse(cert["claim"]["rows"]), parse(cert["claim"]["cols"])), _formula_shape(node["formula"])):
            raise Rejected(f"it compares the entries of a matrix of another shape than its {side} has")
    return cert["claim"]


def check_argument(cert: dict) -> None:
    """Walk the claim's two structures along the argument tree: every step must fit the structures,
    and every lemma must state exactly the equation that step uses (each lemma used once)."""
    lemmas, used = cert["lemmas"], []
    stated = _pairs(cert["claim"]["constraints"])
    free: dict = {}
    constrained = {x for pair in stated for e in pair for x in e.free_symbols}

    def model(node) -> tuple:
        """A side or an intermediate model: its shape; the claim's constraints are of sizes, not of layers."""
        shape = check_shapes(node, {}, free)
        if _layers(node) & constrained:
            raise Rejected("the claim's constraints mention a stack's layer index, which only the stack binds")
        return shape

    if not _same(model(cert["claim"]["lhs"]), model(cert["claim"]["rhs"])):
        raise Rejected("the claim's two sides have different shapes")

    def lemma(k, lhs, rhs, bound, extra=()):
        if type(k) is not int or not 0 <= k < len(lemmas) or k in used:
            raise Rejected(f"the argument uses lemma {k!r} where it cannot")
        used.append(k)
        try:
            return _lemma_states(lemmas[k]["certificate"], lhs, rhs, bound, cert["claim"]["assumptions"],
                                 stated + list(extra))
        except Rejected as err:
            raise Rejected(f"{lemmas[k]['title']}: {err}") from None

    def walk(a, b, tree, depth=0):
        if depth > 50:
            raise Rejected("the argument is nested too deeply")
        by = tree["by"]
        if by == "identical":
            if a != b:
                raise Rejected("the argument calls two different models identical")
        elif by == "lemma":
            lemma(tree["lemma"], a, b, set())
        elif by == "congruence":
            if "apply" not in a or "apply" not in b or not (
                    len(a["apply"]["args"]) == len(b["apply"]["args"]) == len(tree["args"])):
                raise Rejected("congruence applied to models that are not applications of the same arity")
            pa, pb = a["apply"]["placeholders"], b["apply"]["placeholders"]
            if [p["shape"] for p in pa] != [p["shape"] for p in pb]:
                raise Rejected("congruence over placeholders of different shapes")
            for x, y, t in zip(a["apply"]["args"], b["apply"]["args"], tree["args"]):
                walk(x, y, t, depth + 1)
            left, right, bound = _binder_pair(a["apply"], b["apply"], "apply")
            lemma(tree["lemma"], left, right, bound)
        elif by == "induction":
            if "stack" not in a or "stack" not in b:
                raise Rejected("induction on the depth applied to models that are not stacks")
            sa, sb = a["stack"], b["stack"]
            if parse(sa["depth"]) != parse(sb["depth"]) or sa["placeholder"]["shape"] != sb["placeholder"]["shape"]:
                raise Rejected("induction over stacks of different depths or widths")
            walk(sa["start"], sb["start"], tree["start"], depth + 1)
            left, right, bound = _binder_pair(sa, sb, "stack")
            layer = (parse(sa["layer"]), parse(sa["depth"]))
            claim = lemma(tree["lemma"], left, right, bound, extra=(layer,))
            if layer not in set(_pairs(claim["constraints"])) or parse(sa["layer"]) != parse(sb["layer"]):
                raise Rejected("the layer lemma is not restricted to layers 1..depth")
        elif by == "chain":
            via, links = tree.get("via"), tree.get("links")
            if not isinstance(via, list) or not isinstance(links, list) or len(links) != len(via) + 1:
                raise Rejected("a chain needs one link more than it has intermediate models")
            models = [a, *via, b]
            for m in via:
                model(m)
            for x, y, t in zip(models, models[1:], links):      # transitivity: every link proved, end to end
                walk(x, y, t, depth + 1)
        else:
            raise Rejected(f"unknown step {by!r} in the argument")

    walk(cert["claim"]["lhs"], cert["claim"]["rhs"], cert["tree"])
    if sorted(used) != list(range(len(lemmas))):
        raise Rejected("the certificate holds lemmas the argument does not use")
