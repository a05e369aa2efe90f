#pragma once
#include "neuroscope/error.h"

namespace neuroscope::exec {

template <typename F>
auto dnnl_call(const std::string& context, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const dnnl::error& e) {
    throw error(context, ": oneDNN: ", e.what());
  }
}

}  // namespace neuroscope::exec
