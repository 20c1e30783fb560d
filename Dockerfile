# The project's image: every process of docker-compose.yml is `clearance <command>` in it.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY setup.cfg pyproject.toml README.md ./
COPY clearance clearance
COPY events events
COPY ingest ingest
COPY models models
COPY portal portal
COPY static static
# static/ is not a package: portal/config.py serves it from beside the installed portal package.
RUN pip install . \
 && cp -r static "$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/static" \
 && rm -rf /src

RUN useradd --create-home --uid 10001 clearance
USER clearance
WORKDIR /home/clearance
RUN mkdir data
ENV CLEARANCE_DATA_DIR=/home/clearance/data

ENTRYPOINT ["clearance"]
CMD ["--help"]
