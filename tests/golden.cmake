# Runs one lesson through postlab-cli and compares the output with its golden file, byte for byte.
# With the environment variable POSTLAB_UPDATE_GOLDEN=1 the golden file is rewritten instead.
file(RELATIVE_PATH rel_lesson ${WORKDIR} ${LESSON})
execute_process(COMMAND ${CLI} --lang ${LANG} run ${rel_lesson}
                WORKING_DIRECTORY ${WORKDIR}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "postlab-cli run ${rel_lesson} failed (${rc}):\n${err}")
endif()
if("$ENV{POSTLAB_UPDATE_GOLDEN}" STREQUAL "1")
  file(WRITE ${GOLDEN} "${out}")
  message(STATUS "rewrote ${GOLDEN}")
  return()
endif()
if(NOT EXISTS ${GOLDEN})
  message(FATAL_ERROR "no golden file ${GOLDEN}; review the output and create it with POSTLAB_UPDATE_GOLDEN=1")
endif()
file(READ ${GOLDEN} expected)
if(NOT out STREQUAL expected)
  file(WRITE ${GOLDEN}.actual "${out}")
  execute_process(COMMAND diff -u ${GOLDEN} ${GOLDEN}.actual OUTPUT_VARIABLE d)
  message(FATAL_ERROR "transcript differs from ${GOLDEN} (actual output in ${GOLDEN}.actual):\n${d}")
endif()
