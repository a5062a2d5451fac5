"""schemathesis hooks for StreamVault's API: tus PATCH bodies are raw bytes
(application/offset+octet-stream), which schemathesis does not make by itself."""
import schemathesis
from hypothesis import strategies

schemathesis.openapi.media_type("application/offset+octet-stream", strategies.binary(max_size=4096))
