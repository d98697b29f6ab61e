// `ternctl locate` (where a chunk or a source's chunks live: GET /api/v1/chunks/{id} and
// /api/v1/chunks?source=...) and `ternctl get ID` (a chunk's bytes from the core, which reads
// them from its spool, its read cache or a live holder: GET /api/v1/chunks/{id}/bytes;
// ternctl checks the SHA-256 against the id itself, then decodes and prints the records, or
// writes a blob).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core_client.h"

namespace tern::tools {

struct ChunkCmdArgs {
  CLI::App* locate = nullptr;
  CLI::App* get = nullptr;
  std::string id, source, from, to, out;
  std::string origin;  // a node's name or address; empty: any
  int limit = 0;
  bool json = false;
};

void AddChunkCommands(CLI::App& app, ChunkCmdArgs* a);
bool ChunkCommandSelected(const ChunkCmdArgs& a);
int RunChunkCommand(CoreClient& core, const ChunkCmdArgs& a);

}  // namespace tern::tools
