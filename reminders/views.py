from django.http import Http404


def preferences(request):
    raise Http404


def unsubscribe(request, token):
    raise Http404
