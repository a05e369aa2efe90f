// neuroscope/error.h: the one exception type the library throws for bad input.
//
//   try { auto model = neuroscope::Model::load("net.onnx"); }
//   catch (const neuroscope::Error& e) { std::cerr << "error: " << e.what() << "\n"; }
//
// Messages are single lines meant for users: they name the file, node, op, tensor or value
// at fault. Bugs inside the library are reported through NS_CHECK as neuroscope::InternalError.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace neuroscope {

// A problem with the user's input (model file, tensor name, image, flag value, ...).
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A broken invariant inside neuroscope: a bug to report, not a user mistake.
class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error(message) {}
};

namespace detail {
template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
}  // namespace detail

// Builds an Error from any streamable parts: throw error("node '", name, "': bad axis ", axis);
template <typename... Parts>
Error error(const Parts&... parts) {
  return Error(detail::concat(parts...));
}

}  // namespace neuroscope

// Checks an internal invariant; failure is a neuroscope bug, reported with its location.
#define NS_CHECK(cond, ...)                                                                  \
  do {                                                                                       \
    if (!(cond))                                                                             \
      throw ::neuroscope::InternalError(::neuroscope::detail::concat(                        \
          "internal error at ", __FILE__, ":", __LINE__, ": ", #cond " " __VA_OPT__(, ) __VA_ARGS__)); \
  } while (0)
