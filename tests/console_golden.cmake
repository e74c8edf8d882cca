# Pipes a script of client lines into `postlab-cli console` and compares what the server sent
# (stdout) and the summary (stderr) with golden files. POSTLAB_UPDATE_GOLDEN=1 rewrites them.
include(${CMAKE_CURRENT_LIST_DIR}/golden_compare.cmake)
execute_process(COMMAND ${CLI} console ${LESSON} --host ${HOST} --port ${PORT}
                INPUT_FILE ${INPUT} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "postlab-cli console failed (${rc}):\n${err}")
endif()
compare_with_golden("${out}--- summary ---\n${err}" ${GOLDEN})
