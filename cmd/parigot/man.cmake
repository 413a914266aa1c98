# cmd/parigot/man.cmake: writes one man page, `PARIGOT help --man CMD`
# (parigot(1) when CMD is empty), to OUT. Run by the build with cmake -P.
execute_process(COMMAND ${PARIGOT} help --man ${CMD}
                OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${PARIGOT} help --man ${CMD} failed: ${rc}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
