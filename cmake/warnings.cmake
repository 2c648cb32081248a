# h2push_warnings(target): the project's warning set, applied to our own targets only.
function(h2push_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion)
  if(H2PUSH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
