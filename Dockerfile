# GraphiQL's bundle (served when WFM_GRAPHIQL=true): npm ci from the lockfile, then Vite;
# only the built files reach the image, neither Node nor node_modules.
FROM node:20-slim AS graphiql
WORKDIR /src/apps/api/graphiql
COPY apps/api/graphiql/package.json apps/api/graphiql/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY apps/api/graphiql ./
RUN npm run build

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
COPY --from=graphiql /src/apps/api/src/wfm_api/static/graphiql ./apps/api/src/wfm_api/static/graphiql
# the locked runtime only: no dev group (tests, embedded servers, benchmarks)
RUN uv sync --frozen --no-dev
EXPOSE 8000
CMD ["wfm", "serve", "--host", "0.0.0.0", "--port", "8000"]
