from django.db import models


class Save(models.Model):
    value = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.value
