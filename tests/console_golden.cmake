# Pipes a script of client lines into `postlab-cli console` and compares what the server sent
# (stdout) and the summary (stderr) with golden files. POSTLAB_UPDATE_GOLDEN=1 rewrites them.
execute_process(COMMAND ${CLI} console ${LESSON} --host ${HOST} --port ${PORT}
                INPUT_FILE ${INPUT} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "postlab-cli console failed (${rc}):\n${err}")
endif()
set(actual "${out}--- summary ---\n${err}")
if("$ENV{POSTLAB_UPDATE_GOLDEN}" STREQUAL "1")
  file(WRITE ${GOLDEN} "${actual}")
  return()
endif()
file(READ ${GOLDEN} expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${GOLDEN}.actual "${actual}")
  execute_process(COMMAND diff -u ${GOLDEN} ${GOLDEN}.actual OUTPUT_VARIABLE d)
  message(FATAL_ERROR "console output differs from ${GOLDEN}:\n${d}")
endif()
