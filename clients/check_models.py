"""Checks that the pydantic v2 models datamodel-code-generator made from the document keep every
constraint of its component schemas: lengths (strings and arrays), ranges, multiples and patterns.
Run by clients/run.sh:
    check_models.py OPENAPI_JSON MODELS_PY
For each component schema, and each property of an object schema, the constraints a value must meet
are gathered through `$ref`, `allOf`, a nullable `oneOf`/`anyOf` and array `items`; they are compared
with those on the generated field (its metadata, `Annotated` parts, unions, lists and root models).
An object schema that is a choice of objects is compared form by form with the union of models
datamodel-code-generator makes of it.
Exits non-zero listing every constraint lost or changed. `not`, `const`, `enum` and `format` are not
compared (pydantic has no general form for `not`; the others are types, not constraints).
"""

import importlib.util
import json
import re
import sys
import types
import typing

from pydantic import BaseModel, RootModel

from openapi_refs import follow

# JSON Schema keyword -> pydantic's name for it; a schema uses the string or the array form, not both.
KEYWORDS = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_length",
    "maxItems": "max_length",
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "multipleOf": "multiple_of",
    "pattern": "pattern",
}
# Where one value meets several bounds of a kind, the strictest holds.
STRICTEST = {"min_length": max, "max_length": min, "ge": max, "gt": max, "le": min, "lt": min}


class Constraints:
    """Constraints on a value: bounds (strictest wins), patterns and multiples (all hold), and the constraints on an
    array's items."""

    def __init__(self):
        self.bounds, self.patterns, self.multiples, self.items = {}, set(), set(), None

    def add(self, name, value):
        if value is None:
            return
        if name == "pattern":
            self.patterns.add(value.pattern if isinstance(value, re.Pattern) else value)
        elif name == "multiple_of":
            self.multiples.add(value)
        else:
            self.bounds[name] = STRICTEST[name](self.bounds[name], value) if name in self.bounds else value

    def merge(self, other):
        for name, value in other.bounds.items():
            self.add(name, value)
        self.patterns |= other.patterns
        self.multiples |= other.multiples
        if other.items is not None:
            if self.items is None:
                self.items = Constraints()
            self.items.merge(other.items)

    def differences(self, generated, where):
        """What the generated constraints lost or changed of these."""
        found = []
        for name, value in sorted(self.bounds.items()):
            if name not in generated.bounds:
                found.append(f"{where}: {name}={value!r} lost")
            elif generated.bounds[name] != value:
                found.append(f"{where}: {name}={value!r} became {generated.bounds[name]!r}")
        found += [f"{where}: pattern {pattern!r} lost" for pattern in sorted(self.patterns - generated.patterns)]
        found += [f"{where}: multiple_of={value!r} lost" for value in sorted(self.multiples - generated.multiples)]
        if self.items is not None:
            found += self.items.differences(generated.items or Constraints(), f"{where}[]")
        return found

    def count(self):
        return len(self.bounds) + len(self.patterns) + len(self.multiples) + (self.items.count() if self.items else 0)


class Document:
    def __init__(self, document):
        self.document = document
        self.unchecked = []

    def constraints(self, schema, where):
        """What a value of this schema must meet, through references and compositions."""
        found = Constraints()
        if "$ref" in schema:
            found.merge(self.constraints(follow(self.document, schema["$ref"]), where))
        for part in schema.get("allOf", []):
            found.merge(self.constraints(part, where))
        branches = [b for b in schema.get("oneOf", []) + schema.get("anyOf", []) if b.get("type") != "null"]
        if len(branches) == 1:
            found.merge(self.constraints(branches[0], where))
        elif branches and any(self.constraints(branch, where).count() for branch in branches):
            self.unchecked.append(f"{where}: constraints inside a choice of {len(branches)} schemas")
        for keyword, name in KEYWORDS.items():
            found.add(name, schema.get(keyword))
        if "items" in schema:
            found.items = Constraints()
            found.items.merge(self.constraints(schema["items"], f"{where}[]"))
        return found

    def variants(self, schema):
        """An object schema's forms, each as its properties: one, or one per inline object branch of a
        `oneOf`/`anyOf` (each with the properties beside the choice)."""
        shared = self.properties(schema)
        # A branch that is a `$ref` names a component, compared under its own name.
        choice = schema.get("oneOf", []) + schema.get("anyOf", [])
        branches = [
            self.properties(branch) for branch in choice if branch.get("type") != "null" and "$ref" not in branch
        ]
        if not any(branches):
            return [shared]
        return [{**shared, **branch} for branch in branches]

    def properties(self, schema):
        """An object schema's properties, its own and those of its `$ref` and `allOf` parts."""
        found = {}
        if "$ref" in schema:
            found.update(self.properties(follow(self.document, schema["$ref"])))
        for part in schema.get("allOf", []):
            found.update(self.properties(part))
        found.update(schema.get("properties", {}))
        return found


def generated_constraints(annotation, metadata=()):
    """The constraints pydantic enforces on a field of this type with this metadata."""
    found = Constraints()
    for item in metadata:
        for name in set(KEYWORDS.values()):
            found.add(name, getattr(item, name, None))
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        found.merge(generated_constraints(arguments[0], arguments[1:]))
    elif origin in (typing.Union, types.UnionType):
        for argument in arguments:
            if argument is not type(None):
                found.merge(generated_constraints(argument))
    elif origin in (list, set, frozenset, tuple) and arguments:
        found.items = generated_constraints(arguments[0])
    elif isinstance(annotation, type) and issubclass(annotation, RootModel):
        root = annotation.model_fields["root"]
        found.merge(generated_constraints(root.annotation, root.metadata))
    return found


def is_object_model(model):
    return isinstance(model, type) and issubclass(model, BaseModel) and not issubclass(model, RootModel)


def object_models(model):
    """The generated object models of an object schema: the model itself, or the members of its root union (what
    datamodel-code-generator makes of a `oneOf`/`anyOf` of objects)."""
    if is_object_model(model):
        return [model]
    if isinstance(model, type) and issubclass(model, RootModel):
        root = model.model_fields["root"].annotation
        if typing.get_origin(root) in (typing.Union, types.UnionType):
            return [member for member in typing.get_args(root) if is_object_model(member)]
    return []


def compare_object(document, where, properties, model):
    """What a generated object model lost of an object schema's properties' constraints, and how many there are."""
    fields = {field.alias or name: field for name, field in model.model_fields.items()}
    problems, count = [], 0
    for property_name, property_schema in properties.items():
        wanted = document.constraints(property_schema, f"{where}.{property_name}")
        count += wanted.count()
        if property_name not in fields:
            if wanted.count():
                problems.append(f"{where}.{property_name}: no generated field")
            continue
        field = fields[property_name]
        problems += wanted.differences(
            generated_constraints(field.annotation, field.metadata), f"{where}.{property_name}"
        )
    return problems, count


def main():
    document_path, models_path = sys.argv[1:3]
    with open(document_path, encoding="utf-8") as file:
        document = Document(json.load(file))
    spec = importlib.util.spec_from_file_location("generated_models", models_path)
    models = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = models
    spec.loader.exec_module(models)

    problems, compared = [], 0
    for name, schema in document.document["components"]["schemas"].items():
        model = getattr(models, name, None)
        variants = document.variants(schema)
        if not any(variants):
            wanted = document.constraints(schema, name)
            compared += wanted.count()
            if model is None and wanted.count():
                problems.append(f"{name}: no generated model")
            elif model is not None:
                problems += wanted.differences(generated_constraints(model), name)
            continue
        generated = object_models(model)
        if len(variants) == 1 and generated:
            pairs = [
                (name if len(generated) == 1 else f"{name}({member.__name__})", variants[0], member)
                for member in generated
            ]
        elif len(variants) == len(generated):
            pairs = [
                (f"{name}({member.__name__})", variant, member)
                for variant, member in zip(variants, generated, strict=True)
            ]
        else:
            problems.append(f"{name}: {len(variants)} object forms, {len(generated)} generated object models")
            continue
        for where, properties, member in pairs:
            found, count = compare_object(document, where, properties, member)
            problems += found
            compared += count

    for note in document.unchecked:
        print(f"check_models: not compared: {note}")
    for problem in problems:
        print(f"check_models: {problem}", file=sys.stderr)
    if problems:
        print(f"check_models: {len(problems)} constraints lost or changed", file=sys.stderr)
        sys.exit(1)
    print(f"check_models: all {compared} constraints of the document kept by the generated models")


if __name__ == "__main__":
    main()
