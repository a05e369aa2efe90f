// ONNX files -> our IR. The only part of neuroscope that sees protobuf.
#pragma once

#include <filesystem>
#include <string>

#include "graph/graph.h"

namespace neuroscope::onnx_io {

// Parses an ONNX model file (external data is read from files next to it). Throws Error naming
// the file for anything that is not a well-formed ONNX model we can represent.
graph::Graph load_model(const std::filesystem::path& path);

// Parses a serialized TensorProto (the .pb files of ONNX's test data).
graph::Constant load_tensor(const std::filesystem::path& path);

}  // namespace neuroscope::onnx_io
