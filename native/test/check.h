// The native tests' one assertion: prints a TAP line per check; Done() prints the plan and gives
// the exit status (0 when every check passed).
#pragma once

#include <cstdio>

namespace netdev::test {

inline int& Failures() {
  static int n = 0;
  return n;
}
inline int& Count() {
  static int n = 0;
  return n;
}

inline void Check(bool ok, const char* what) {
  ++Count();
  std::printf("%s %d - %s\n", ok ? "ok" : "not ok", Count(), what);
  if (!ok) ++Failures();
}

inline int Done() {
  std::printf("1..%d\n", Count());
  return Failures() ? 1 : 0;
}

}  // namespace netdev::test
