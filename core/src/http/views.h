// The JSON documents of the HTTP API's core.db endpoints (docs/http-api.md), built from a
// read-only Manifest and its store classes, kept apart from the server (http_api.cpp) so the
// routing and the shapes can be read separately. No SQL, no sockets.
// Thread-safety: free functions; the Manifest they get belongs to the calling thread for the
// call (HttpApi holds its database lock around them).
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "query.h"
#include "tern/common/chunk.h"
#include "tern/common/status.h"
#include "tern/core/manifest.h"

namespace tern::core::http {

// `status` is the core's status document (HttpApiSources::status; null if none): live node
// state, load and counters override the registry's where it names a registered address.

// {"nodes": [...]}: every registered node with its settings (the defaults when never set).
[[nodiscard]] Result<nlohmann::json> NodesDoc(Manifest& m, const nlohmann::json& status);
// One chunk with its holders and result/source links; NotFound naming the id if unknown.
// `hex` is the id as the client wrote it (for the message).
[[nodiscard]] Result<nlohmann::json> ChunkDoc(Manifest& m, const nlohmann::json& status,
                                              const ChunkId& id, const std::string& hex);
// The chunks of `source` in the range, at most q.limit, with "truncated".
[[nodiscard]] Result<nlohmann::json> ChunkListDoc(Manifest& m, const nlohmann::json& status,
                                                  const std::string& source, const RangeQuery& q);
// The results (optionally of one source, optionally only with anomalies) in the range,
// newest first, at most q.limit, with "truncated".
[[nodiscard]] Result<nlohmann::json> ResultsDoc(Manifest& m, const nlohmann::json& status,
                                                const std::optional<std::string>& source,
                                                const RangeQuery& q, bool anomalies_only);

// The chunks and results matching a search (search_index.h), newest first, at most
// p.range.limit, with "truncated", each with its tags, notes and holders. A bad query is
// InvalidArgument ("q: ...").
[[nodiscard]] Result<nlohmann::json> SearchResultsDoc(Manifest& m, const nlohmann::json& status,
                                                      const SearchParams& p);

// {"name", "addr", "settings"}: one registered edge's settings (the `settings` object of
// NodesDoc); NotFound naming the edge if no edge of that name is registered.
[[nodiscard]] Result<nlohmann::json> EdgeSettingsDoc(Manifest& m, const std::string& name);

}  // namespace tern::core::http
