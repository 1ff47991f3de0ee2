# Configures, builds and tests a tree built with clang, ASan and UBSan, and the fuzz targets.
# Run as cmake -D SOURCE_DIR=... -D BUILD_DIR=... -P sanitized_and_fuzzed.cmake.
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BUILD_DIR} -G Ninja
          -D CMAKE_CXX_COMPILER=clang++ -D DDCC_SANITIZE=address,undefined -D DDCC_FUZZ=ON
          # -O1 as the sanitizers advise, and line tables for their reports: 40% less build time
          # than -O2 -g.
          "-D CMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG"
  COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} COMMAND_ERROR_IS_FATAL ANY)
# Some tests run once, in the plain tree, to keep CI short: the differential scenarios and
# stale_inputs (files changed in the middle of a compile) check the cache's answers, which the
# sanitizers do not change, and they are slow (stale_inputs waits out clock ticks); paths,
# paths_debug, dep_targets, cmake_project, cython, cargo and pyo3 drive code that the unit tests,
# sharing, depend, compile, report and rust drive here too, remote_tls (the remote suite again
# over TLS) code that remote and TLS' own cases in remote_http and remote_redis drive, and
# install packages what is built. Of reliability, only the damage and failure cases run here
# (tests/CMakeLists.txt).
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${BUILD_DIR} --output-on-failure -j2
                        -E "^(diff_scenarios|e2e_paths|e2e_paths_debug|e2e_dep_targets|e2e_cmake_project|e2e_cython|e2e_cargo|e2e_pyo3|e2e_remote_tls|e2e_install|e2e_stale_inputs)$"
                COMMAND_ERROR_IS_FATAL ANY)
