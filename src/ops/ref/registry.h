// The list of reference implementations: one line per op in registry.cpp.
#pragma once

#include <span>
#include <string_view>

#include "ops/ref/ref.h"

namespace neuroscope::ref {

struct RefEntry {
  std::string_view type;
  RefFn fn;
};
std::span<const RefEntry> registry();

}  // namespace neuroscope::ref
