"""What users may store, checked before anything is parsed, compiled or written.

Fixed, not read from the environment: the engine, the API, the CLI and stored templates
apply the same limits. A leaf module, so that the engine reads them without importing the
settings (and pydantic-settings with them)."""

# A published template's JSON: nesting of objects and arrays, and size (UTF-8).
TEMPLATE_MAX_DEPTH = 32
TEMPLATE_MAX_BYTES = 512 * 1024
# A transition's CEL condition: characters, and nesting of brackets and operators (a cheap
# scan before compiling; it bounds the evaluator's recursion).
CONDITION_MAX_CHARS = 2048
CONDITION_MAX_NESTING = 24
# Expressions in actions (`{{ ... }}` in an api_call's request, a notification's texts, a
# webhook's payload): each is measured as a condition is; placeholders in one template.
ACTION_PLACEHOLDERS_MAX = 256
# Compiling one template's conditions, in a thread off the event loop: past this, refused.
CONDITION_COMPILE_SECONDS = 5.0
# Step data, trigger payloads, reasons: nesting of objects and arrays (MongoDB's limit is 100
# levels for a whole document; the data sits a few levels down in it).
DATA_MAX_DEPTH = 32
# A step's data (executeStep) and a step's draft: its size as JSON.
STEP_DATA_MAX_BYTES = 256 * 1024
# An uploaded file (`POST /files`), whatever its step allows: the most a template's
# `attachments.maxBytes` may say.
FILE_MAX_BYTES = 25 * 1024 * 1024
# A tenant secret: its name (what expressions call it: `secrets.ERP_API_KEY`), the size of
# its value (UTF-8), and how many one tenant may keep.
SECRET_NAME_PATTERN = r"[A-Za-z][A-Za-z0-9_]{0,63}"
SECRET_VALUE_MAX_BYTES = 8 * 1024
SECRETS_PER_TENANT_MAX = 200

# A system step's `forEach`: the items it runs over unless its template says fewer (`max`),
# and the most a template may allow (each item is one call and one event in the log).
FOR_EACH_DEFAULT_MAX = 100
FOR_EACH_MAX_ITEMS = 1000
