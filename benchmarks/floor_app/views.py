from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from floor_app.models import Save


@csrf_exempt
def save(request: HttpRequest) -> JsonResponse:
    """Write one row, reply with its id: the least a save over HTTP can cost."""
    row = Save.objects.create(value=request.POST.get("value", ""))
    return JsonResponse({"saved": True, "id": row.pk})
