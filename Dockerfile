FROM python:3.11-slim
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 PATH="/app/.venv/bin:$PATH"
RUN pip install --no-cache-dir "uv>=0.8"
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY modules ./modules
COPY apps ./apps
COPY tools ./tools
COPY extensions ./extensions
# the locked runtime only: no dev group (tests, embedded servers, benchmarks)
RUN uv sync --frozen --no-dev
EXPOSE 8000
CMD ["wfm", "serve", "--host", "0.0.0.0", "--port", "8000"]
