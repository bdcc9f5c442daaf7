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
# Compiling one template's conditions, in a thread off the event loop: past this, refused.
CONDITION_COMPILE_SECONDS = 5.0
# Step data, trigger payloads, reasons: nesting of objects and arrays (MongoDB's limit is 100
# levels for a whole document; the data sits a few levels down in it).
DATA_MAX_DEPTH = 32
