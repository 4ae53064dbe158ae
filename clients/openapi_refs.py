"""JSON pointers of an OpenAPI document, shared by the checks in this folder."""


def follow(document, reference):
    """The node a local `$ref` (`#/components/schemas/Name`) points at."""
    node = document
    for part in reference.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node
