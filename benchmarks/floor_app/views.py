from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from floor_app.models import Save


@csrf_exempt
def save(request: HttpRequest) -> JsonResponse:
    """Write one row, reply with its id: the least a save over HTTP can cost."""
    row = Save.objects.create(value=request.POST.get("value", ""))
    return JsonResponse({"saved": True, "id": row.pk})


def save_authenticated(request: HttpRequest) -> JsonResponse:
    """The same write behind the application's middleware: session, user, CSRF, locale."""
    if request.method != "POST" or not request.user.is_authenticated:
        return JsonResponse({"error": "log in"}, status=403)
    row = Save.objects.create(value=request.POST.get("value", ""))
    return JsonResponse({"saved": True, "id": row.pk})
