"""Every named URL of the portal, with arguments filled in, for tests that sweep them all."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Routes that are public by design.
PUBLIC = {
    "login",
    "set_language",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin" or (pattern.app_name == "admin"):
                continue
            ns = pattern.namespace or namespace
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, pattern


def portal_urls(values):
    """(name, path) for every named portal route. `values` maps an argument name (pk, code,
    campaign_code, …) to the value to put in it; any argument not in `values` gets 1."""
    seen = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        if name in seen:
            continue
        seen.add(name)
        kwargs = {arg: values.get(arg, 1) for arg in pattern.pattern.regex.groupindex}
        yield name, reverse(name, kwargs=kwargs)
