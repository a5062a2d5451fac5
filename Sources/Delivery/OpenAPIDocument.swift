/// The OpenAPI 3 description of the JSON API, served as `/api/openapi.json`. A test checks
/// that its paths and methods are exactly the routes the server has, and schemathesis
/// (in `make test`) sends it generated requests.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.0.3",
  "info": {
    "title": "StreamVault API",
    "version": "1.0.0",
    "description": "The catalog and job API of a StreamVault daemon (SPEC §6, §9, §15). Errors are {\"error\": {\"code\", \"message\"}}."
  },
  "paths": {
    "/healthz": {
      "get": {
        "summary": "Whether the daemon and its catalog answer",
        "responses": {
          "200": {"description": "Healthy", "content": {"application/json": {"schema": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["ok"]}}}}}},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/media": {
      "get": {
        "summary": "Movies and series, the most recently updated first (episodes inside their series)",
        "parameters": [
          {"name": "type", "in": "query", "schema": {"$ref": "#/components/schemas/MediaType"}},
          {"name": "genre", "in": "query", "schema": {"type": "string"}},
          {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 1}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}
        ],
        "responses": {
          "200": {"description": "One page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MediaPage"}}}},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "400": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/media/search": {
      "get": {
        "summary": "Full-text search over title, original title and description (word prefixes, accents ignored)",
        "parameters": [{"name": "q", "in": "query", "required": true, "schema": {"type": "string", "minLength": 1}}],
        "responses": {
          "200": {"description": "Matches", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MediaItems"}}}},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "400": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/media/trending": {
      "get": {
        "summary": "Movies and series by playback starts over the last 7 days, the most first (a start: a master playlist fetched by one client or token viewer, once per hour per title)",
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}],
        "responses": {
          "200": {"description": "Trending titles", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MediaItems"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    },
    "/api/media/{id}/similar": {
      "get": {
        "summary": "Titles sharing the title's series, director, cast, genres or tags, then words of its description, best first",
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}],
        "responses": {
          "200": {"description": "Similar titles", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MediaItems"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    },
    "/api/media/{id}": {
      "get": {
        "summary": "A movie, an episode, or a series with its seasons",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The title", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Media"}}}},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "404": {"$ref": "#/components/responses/Error"}
        }
      },
      "patch": {
        "summary": "Set a movie's, episode's or series' metadata; fields left out stay (searchable at once)",
        "security": [{"token": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MetadataEdit"}}}},
        "responses": {
          "200": {"description": "The title as edited", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Media"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      },
      "delete": {
        "summary": "Delete a title (a series with its episodes): 404 from then on, its files removed, its originals kept",
        "security": [{"token": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The ids of the titles removed", "content": {"application/json": {"schema": {"type": "object", "required": ["deleted"], "properties": {"deleted": {"type": "array", "items": {"type": "string"}}}}}}},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    },
    "/api/jobs": {
      "get": {
        "summary": "Jobs, newest first",
        "parameters": [{"name": "state", "in": "query", "schema": {"$ref": "#/components/schemas/JobState"}}],
        "responses": {
          "200": {"description": "Jobs", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}}}}}}},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "400": {"$ref": "#/components/responses/Error"}
        }
      },
      "post": {
        "summary": "Queue a file that is on the server (hard-linked into the vault, never copied)",
        "security": [{"token": []}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"type": "object", "required": ["path"], "properties": {
            "path": {"type": "string"}, "title": {"type": "string"}, "type": {"$ref": "#/components/schemas/MediaType"}}}}}
        },
        "responses": {
          "201": {"description": "Queued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/jobs/{id}": {
      "get": {
        "summary": "A job with its chunks",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "404": {"$ref": "#/components/responses/Error"}
        }
      },
      "delete": {
        "summary": "Cancel a job: one not running ends at once (200), a running one is stopped by its daemons (202)",
        "security": [{"token": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "Cancelled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "202": {"description": "Being stopped", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "409": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    },
    "/api/webhooks/deliveries": {
      "get": {
        "summary": "Recent webhook deliveries, the latest attempted first: pending, delivered or given up, with the last status or error",
        "security": [{"token": []}],
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}],
        "responses": {
          "200": {"description": "Deliveries", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookDelivery"}}}}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    },
    "/api/uploads": {
      "options": {
        "summary": "tus discovery: the version, extensions, largest size and checksum algorithms",
        "responses": {"204": {"description": "Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm"}, "429": {"$ref": "#/components/responses/RateLimited"}}
      },
      "post": {
        "summary": "tus creation (and creation-with-upload): a new resumable upload; its URL is Location",
        "security": [{"token": []}],
        "parameters": [{"$ref": "#/components/parameters/TusResumable"}, {"$ref": "#/components/parameters/UploadLength"}, {"$ref": "#/components/parameters/UploadMetadata"}],
        "responses": {
          "201": {"description": "Created: Location, Upload-Offset, Upload-Expires (and StreamVault-Job when the body completed it)"},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "412": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    },
    "/api/uploads/urls": {
      "post": {
        "summary": "A one-time tus creation URL that a browser may use without the API token",
        "security": [{"token": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {
          "title": {"type": "string"}, "type": {"$ref": "#/components/schemas/MediaType"}, "preset": {"type": "string"},
          "maxBytes": {"type": "integer", "minimum": 1}}}}}},
        "responses": {
          "201": {"description": "The URL", "content": {"application/json": {"schema": {"type": "object", "required": ["url", "expiresAt"], "properties": {
            "url": {"type": "string"}, "expiresAt": {"type": "string", "format": "date-time"}}}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    },
    "/api/uploads/direct/{token}": {
      "options": {
        "summary": "tus discovery",
        "parameters": [{"name": "token", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"204": {"description": "As OPTIONS /api/uploads"}, "429": {"$ref": "#/components/responses/RateLimited"}}
      },
      "post": {
        "summary": "tus creation at a one-time URL: one upload, with the URL's title, type, preset and size limit",
        "parameters": [{"name": "token", "in": "path", "required": true, "schema": {"type": "string"}},
                       {"$ref": "#/components/parameters/TusResumable"}, {"$ref": "#/components/parameters/UploadLength"}, {"$ref": "#/components/parameters/UploadMetadata"}],
        "responses": {
          "201": {"description": "Created: Location, Upload-Offset, Upload-Expires"},
          "400": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
          "412": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    },
    "/api/uploads/{id}": {
      "options": {
        "summary": "tus discovery",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"204": {"description": "As OPTIONS /api/uploads"}, "429": {"$ref": "#/components/responses/RateLimited"}}
      },
      "head": {
        "summary": "Where an upload stands: Upload-Offset, Upload-Length, Upload-Expires, StreamVault-Job once it is a job",
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"$ref": "#/components/parameters/TusResumable"}],
        "responses": {"200": {"description": "Its state, in headers"}, "404": {"description": "No such upload"}, "412": {"description": "Not tus 1.0.0"},
                      "429": {"description": "Rate limited"}}
      },
      "get": {
        "summary": "Where an upload stands, as JSON",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "Its state", "content": {"application/json": {"schema": {"type": "object", "required": ["offset", "length", "jobId"], "properties": {
            "offset": {"type": "integer"}, "length": {"type": "integer"}, "jobId": {"type": "string", "nullable": true}}}}}},
          "404": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}
        }
      },
      "patch": {
        "summary": "tus: append bytes at Upload-Offset (fsynced before answered); the last ones make the job",
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"$ref": "#/components/parameters/TusResumable"},
                       {"name": "Upload-Offset", "in": "header", "required": true, "schema": {"type": "integer", "minimum": 0}},
                       {"name": "Upload-Checksum", "in": "header", "schema": {"type": "string", "description": "sha1 or sha256, then the base64 digest of this body"}}],
        "requestBody": {"required": true, "content": {"application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        "responses": {
          "204": {"description": "Written: Upload-Offset (and StreamVault-Job when complete)"},
          "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"},
          "409": {"$ref": "#/components/responses/Error"}, "412": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"},
          "423": {"$ref": "#/components/responses/Error"}, "460": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      },
      "delete": {
        "summary": "tus termination: the upload and its bytes go",
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"$ref": "#/components/parameters/TusResumable"}],
        "responses": {
          "204": {"description": "Terminated"}, "404": {"$ref": "#/components/responses/Error"},
          "412": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    },
    "/api/nodes": {
      "get": {
        "summary": "The daemons seen in the last minute",
        "responses": {
          "200": {"description": "Daemons", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}}}},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    },
    "/api/openapi.json": {
      "get": {
        "summary": "This document",
        "responses": {
          "200": {"description": "OpenAPI 3", "content": {"application/json": {"schema": {"type": "object"}}}},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "--api-token, or <root>/api-token"}},
    "parameters": {
      "Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
      "TusResumable": {"name": "Tus-Resumable", "in": "header", "required": true, "schema": {"type": "string", "enum": ["1.0.0"]}},
      "UploadLength": {"name": "Upload-Length", "in": "header", "required": true, "schema": {"type": "integer", "minimum": 1}},
      "UploadMetadata": {"name": "Upload-Metadata", "in": "header", "required": true, "schema": {"type": "string", "description": "filename <base64> (required), title, type, preset"}}
    },
    "responses": {
      "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "RateLimited": {"description": "Over serve --rate-limit for this client address: rate_limited", "headers": {
        "Retry-After": {"schema": {"type": "integer"}}, "RateLimit-Limit": {"schema": {"type": "integer"}},
        "RateLimit-Remaining": {"schema": {"type": "integer"}}, "RateLimit-Reset": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
      "JobState": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled", "duplicate"]},
      "JobStage": {"type": "string", "enum": ["queued", "planning", "packaging", "finishing", "waiting to retry", "requeued: its daemon stopped", "done", "failed", "cancelled", "duplicate"]},
      "MediaType": {"type": "string", "enum": ["movie", "series", "anime", "cartoon", "game"]},
      "MediaPage": {"type": "object", "required": ["items", "total", "page", "limit"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Media"}},
        "total": {"type": "integer"}, "page": {"type": "integer"}, "limit": {"type": "integer"}}},
      "MediaItems": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Media"}}}},
      "Media": {"type": "object", "required": ["id", "title", "type", "genre", "cast", "director", "studio", "country", "language", "tags", "views", "duration", "durationSeconds", "sources", "subtitles", "dubbing", "seasons", "status", "createdAt", "updatedAt"], "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "originalTitle": {"type": "string"}, "type": {"$ref": "#/components/schemas/MediaType"},
        "genre": {"type": "array", "items": {"type": "string"}}, "year": {"type": "integer"}, "description": {"type": "string"},
        "cast": {"type": "array", "items": {"type": "string"}}, "director": {"type": "string"}, "studio": {"type": "string"},
        "country": {"type": "string"}, "language": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
        "duration": {"type": "number", "description": "minutes"}, "durationSeconds": {"type": "number"},
        "poster": {"type": "string"}, "hls": {"type": "string"}, "dash": {"type": "string"}, "storyboard": {"type": "string"},
        "sources": {"type": "array", "items": {"type": "object", "required": ["quality", "url", "size", "width", "height", "bandwidth", "codecs"], "properties": {
          "quality": {"type": "string"}, "url": {"type": "string"}, "size": {"type": "integer"}, "width": {"type": "integer"}, "height": {"type": "integer"},
          "bandwidth": {"type": "integer"}, "codecs": {"type": "string"}}}},
        "subtitles": {"type": "array", "items": {"type": "object", "required": ["language", "name", "forced", "url", "file"], "properties": {
          "language": {"type": "string"}, "name": {"type": "string"}, "forced": {"type": "boolean"}, "url": {"type": "string"}, "file": {"type": "string"}}}},
        "dubbing": {"type": "array", "description": "the stereo (AAC) renditions", "items": {"type": "object", "required": ["language", "name", "default", "url"], "properties": {
          "language": {"type": "string"}, "name": {"type": "string"}, "default": {"type": "boolean"}, "url": {"type": "string"}}}},
        "audio": {"type": "array", "description": "every audio rendition, AAC and E-AC-3", "items": {"type": "object", "required": ["language", "codec", "channels", "url"], "properties": {
          "language": {"type": "string"}, "codec": {"type": "string", "enum": ["aac", "eac3"]}, "channels": {"type": "integer"},
          "loudness": {"type": "number", "description": "the source's integrated loudness, LUFS, once measured"}, "url": {"type": "string"}}}},
        "seasons": {"type": "array", "items": {"type": "object", "required": ["number", "episodes"], "properties": {
          "number": {"type": "integer"}, "episodes": {"type": "array", "items": {"type": "object", "required": ["id", "number", "title", "hls"], "properties": {
            "id": {"type": "string"}, "number": {"type": "integer"}, "title": {"type": "string"}, "duration": {"type": "number"},
            "durationSeconds": {"type": "number"}, "poster": {"type": "string"}, "hls": {"type": "string"}, "dash": {"type": "string"}}}}}}},
        "status": {"type": "string", "enum": ["processing", "ready"]}, "progress": {"type": "number"},
        "views": {"type": "integer", "description": "playback starts"},
        "createdAt": {"type": "string", "format": "date-time"}, "updatedAt": {"type": "string", "format": "date-time"}}},
      "Job": {"type": "object", "required": ["id", "mediaId", "source", "preset", "state", "stage", "progress", "speed", "attempts", "createdAt", "warnings"], "properties": {
        "id": {"type": "string"}, "mediaId": {"type": "string"}, "source": {"type": "string"}, "preset": {"type": "string"},
        "state": {"$ref": "#/components/schemas/JobState"}, "stage": {"$ref": "#/components/schemas/JobStage"}, "progress": {"type": "number"},
        "speed": {"type": "number"}, "attempts": {"type": "integer"}, "error": {"type": "string"},
        "createdAt": {"type": "string", "format": "date-time"}, "startedAt": {"type": "string", "format": "date-time"},
        "finishedAt": {"type": "string", "format": "date-time"},
        "chunks": {"type": "array", "items": {"type": "object", "required": ["index", "start", "end", "state", "attempts"], "properties": {
          "index": {"type": "integer"}, "start": {"type": "number"}, "end": {"type": "number"}, "state": {"type": "string"},
          "node": {"type": "string"}, "attempts": {"type": "integer"}}}},
        "warnings": {"type": "array", "description": "tracks left out, or published with cues dropped", "items": {
          "type": "object", "required": ["file", "reason", "published"], "properties": {
          "file": {"type": "string"}, "language": {"type": "string"}, "cuesRead": {"type": "integer"},
          "cuesDropped": {"type": "integer"}, "reason": {"type": "string"}, "published": {"type": "boolean"}}}}}},
      "MetadataEdit": {"type": "object", "additionalProperties": false, "minProperties": 1, "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 300}, "originalTitle": {"type": "string", "maxLength": 300},
        "description": {"type": "string", "maxLength": 10000},
        "genre": {"$ref": "#/components/schemas/Names"}, "cast": {"$ref": "#/components/schemas/Names"}, "tags": {"$ref": "#/components/schemas/Names"},
        "year": {"type": "integer", "minimum": 1878, "maximum": 2200, "nullable": true},
        "director": {"type": "string", "maxLength": 200}, "studio": {"type": "string", "maxLength": 200},
        "country": {"type": "string", "maxLength": 200}, "language": {"type": "string", "maxLength": 35, "description": "a BCP 47 tag"}}},
      "Names": {"type": "array", "maxItems": 200, "items": {"type": "string", "maxLength": 200}},
      "WebhookDelivery": {"type": "object", "required": ["eventId", "type", "mediaId", "url", "state", "attempts", "createdAt"], "properties": {
        "eventId": {"type": "string"}, "type": {"type": "string", "enum": ["media.processing", "media.ready", "media.deleted", "job.failed", "job.duplicate"]},
        "mediaId": {"type": "string"}, "url": {"type": "string"}, "state": {"type": "string", "enum": ["pending", "delivered", "abandoned"]},
        "attempts": {"type": "integer"}, "lastStatus": {"type": "integer"}, "lastError": {"type": "string"},
        "createdAt": {"type": "string", "format": "date-time"}, "lastAttemptAt": {"type": "string", "format": "date-time"},
        "nextAttemptAt": {"type": "string", "format": "date-time"}, "deliveredAt": {"type": "string", "format": "date-time"}}},
      "Node": {"type": "object", "required": ["node", "http", "workers", "running", "lastSeen"], "properties": {
        "node": {"type": "string"}, "http": {"type": "string"}, "workers": {"type": "integer"}, "running": {"type": "integer"},
        "lastSeen": {"type": "string", "format": "date-time"}}}
    }
  }
}
"""#
}
