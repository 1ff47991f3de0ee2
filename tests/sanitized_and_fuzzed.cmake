# Configures, builds and tests a tree built with clang, ASan and UBSan, and the fuzz targets.
# Run as cmake -D SOURCE_DIR=... -D BUILD_DIR=... -P sanitized_and_fuzzed.cmake.
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BUILD_DIR} -G Ninja
          -D CMAKE_CXX_COMPILER=clang++ -D DDCC_SANITIZE=address,undefined -D DDCC_FUZZ=ON
  COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} COMMAND_ERROR_IS_FATAL ANY)
# The differential scenarios run once, in the plain tree: what they check is the cache's answers,
# which the sanitizers do not change, and they are slow.
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${BUILD_DIR} --output-on-failure -j2
                        -E diff_scenarios
                COMMAND_ERROR_IS_FATAL ANY)
