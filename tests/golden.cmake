# Runs one lesson through postlab-cli and compares the output with its golden file, byte for byte.
# With the environment variable POSTLAB_UPDATE_GOLDEN=1 the golden file is rewritten instead.
include(${CMAKE_CURRENT_LIST_DIR}/golden_compare.cmake)
file(RELATIVE_PATH rel_lesson ${WORKDIR} ${LESSON})
if(NOT DEFINED WHAT)
  set(WHAT run)  # "run": every step; "mailbox": what mailboxes and devices hold at the end
endif()
separate_arguments(extra UNIX_COMMAND "${ARGS}")  # more options for the subcommand, e.g. "--at 4h35m"
execute_process(COMMAND ${CLI} --lang ${LANG} ${WHAT} ${rel_lesson} ${extra}
                WORKING_DIRECTORY ${WORKDIR}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "postlab-cli ${WHAT} ${rel_lesson} failed (${rc}):\n${err}")
endif()
compare_with_golden("${out}" ${GOLDEN})
