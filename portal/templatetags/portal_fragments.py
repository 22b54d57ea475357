"""`{% fragment "name" key ... %}` ... `{% endfragment %}`: a cached part of a page.

See portal/fragments.py for what the keys must name. Like Django's `{% cache %}` tag, with three
differences that make it safe for the portal's pages: the language, the script prefix and the
page's full path are always part of the key; CSRF tokens inside are filled in per request; and
the timeout is the portal's (fragments are invalidated by version, not by time).
"""

from django import template
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from portal.fragments import CSRF_SLOT, TIMEOUT_SECONDS, cache_key

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, keys):
        self.nodelist = nodelist
        self.name = name
        self.keys = keys

    def render(self, context):
        request = context.get("request")
        name = self.name.resolve(context)
        parts = [
            get_language(),
            get_script_prefix(),
            request.get_full_path() if request is not None else "",
            *(key.resolve(context) for key in self.keys),
        ]
        key = cache_key(name, parts)
        html = cache.get(key)
        if html is None:
            with context.push(csrf_token=CSRF_SLOT):
                html = self.nodelist.render(context)
            cache.set(key, html, TIMEOUT_SECONDS)
        if CSRF_SLOT in html:
            html = html.replace(CSRF_SLOT, get_token(request) if request is not None else "")
        return mark_safe(html)


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name, then its keys.")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist,
        parser.compile_filter(bits[1]),
        [parser.compile_filter(bit) for bit in bits[2:]],
    )
