# The application image: web (gunicorn), migrate (`casemgr setup`) and scheduler run from it.
# Everything is installed at build time; the running system fetches nothing (intranet, no CDN):
# Swagger UI's assets come from the swagger-ui-bundle package and the pages' assets from
# casemgr/static.
FROM python:3.11-slim

# Build against an intranet mirror with
#   docker compose build --build-arg PIP_INDEX_URL=https://mirror.example/simple
# (an ARG is visible to RUN as an environment variable, and pip reads PIP_INDEX_URL).
ARG PIP_INDEX_URL=https://pypi.org/simple

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app

# Only what the package needs: .env, .venv, instance/ and .git never enter the image.
COPY pyproject.toml README.md babel.cfg ./
COPY casemgr ./casemgr
COPY credit ./credit
COPY linkage ./linkage
COPY migrations ./migrations

# `pip install .` brings the dependencies and the `casemgr` console script (no dev extras).
RUN pip install . \
    && pybabel compile -d casemgr/translations -D messages \
    && python -m compileall -q casemgr credit linkage migrations

# The code runs from /app, beside migrations/ (casemgr.app looks for them next to the package,
# and the installed copy in site-packages has none); PYTHONPATH puts /app ahead of site-packages
# for the console script and gunicorn alike.
ENV PYTHONPATH=/app \
    CASEMGR_INSTANCE_PATH=/var/lib/casemgr \
    CASEMGR_UPLOAD_FOLDER=/var/lib/casemgr/uploads

# A system user owns only the instance folder; the code stays root-owned and read-only to it.
RUN groupadd --system --gid 10001 casemgr \
    && useradd --system --uid 10001 --gid casemgr --home-dir /var/lib/casemgr \
       --no-create-home --shell /usr/sbin/nologin casemgr \
    && mkdir -p /var/lib/casemgr/uploads \
    && chown -R casemgr:casemgr /var/lib/casemgr

USER casemgr

EXPOSE 8000

CMD ["gunicorn", "-c", "python:casemgr.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", "casemgr.app:create_app()"]
