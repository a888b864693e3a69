"""The live class view for instructors: a JupyterHub service showing each trainee's progress and
the refusal codes the class meets most (``snapshot`` computes, ``page`` renders, ``service``
serves behind the hub's login)."""
