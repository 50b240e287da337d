"""Language choice: Chinese first; English only when the visitor picks it (cookie).

Django's LocaleMiddleware follows the browser's Accept-Language, which would show English
to any phone set to English even though the county's site is Chinese-first.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {c for c, _ in settings.LANGUAGES}
        language = code if code in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
