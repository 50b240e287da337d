"""WSGI entry point for the B0 and vanilla Oscar servers: nothing of the project's imported.

The project's own server keeps marketplace.wsgi (with its start-up work), as production runs.
"""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
