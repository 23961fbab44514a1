# One image for every MCP Runbooks service: `docker run <image> api|relay|runner|...`.
# Build: `docker build -t mcp-runbooks .` (docker-compose.yml builds it for its services).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Only what the package is built from; tests, benches and scripts stay out of the image.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY agent ./agent
COPY backend ./backend
COPY evals ./evals
COPY graph ./graph
COPY ingest ./ingest
COPY prompts ./prompts
COPY runner ./runner
COPY tools ./tools
# Every dependency installs from a wheel on linux/amd64: no compiler in the image.
RUN pip install . && rm -rf /src

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin runbooks
USER runbooks
WORKDIR /home/runbooks

ENTRYPOINT ["runbooks"]
CMD ["--help"]
