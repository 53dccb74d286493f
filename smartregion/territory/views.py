from django.http import HttpResponse


def municipality_list(request):
    return HttpResponse("")


def municipality_map(request):
    return HttpResponse("")


def municipality_detail(request, refnis):
    return HttpResponse("")
