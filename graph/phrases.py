"""The short sentences the agent says itself, in English and Spanish."""

from __future__ import annotations

from graph.language import Language

_PHRASES: dict[str, dict[Language, str]] = {
    "ask_job": {"en": "Which Jenkins job?", "es": "¿Qué job de Jenkins?"},
    "ask_build": {"en": "Which build number?", "es": "¿Qué número de build?"},
    "ask_target_build": {
        "en": "Which build should it roll back to?",
        "es": "¿A qué build hay que volver?",
    },
    "ask_incident_id": {"en": "Which incident (its number)?", "es": "¿Qué incidente (su número)?"},
    "ask_action_id": {"en": "Which action (its number)?", "es": "¿Qué acción (su número)?"},
    "ask_arg": {"en": "What should {arg} be?", "es": "¿Qué valor para {arg}?"},
    "bad_arg": {
        "en": "I could not use {arg}={value!r}. What should it be?",
        "es": "No puedo usar {arg}={value!r}. ¿Cuál es el valor correcto?",
    },
    "unknown_tool": {
        "en": "I do not have a tool called {tool}. Could you rephrase?",
        "es": "No tengo una herramienta llamada {tool}. ¿Puedes reformularlo?",
    },
    "did_you_mean": {
        "en": "There is no job named {job}. Did you mean {options}?",
        "es": "No hay ningún job llamado {job}. ¿Quisiste decir {options}?",
    },
    "no_such_job": {
        "en": "There is no job named {job}. Which job do you mean?",
        "es": "No hay ningún job llamado {job}. ¿A qué job te refieres?",
    },
    "jobs_unverifiable": {
        "en": "I could not check the Jenkins job list ({reason}), so I will not request this now.",
        "es": "No pude consultar la lista de jobs de Jenkins ({reason}), así que no lo pediré ahora.",
    },
    "no_such_build": {
        "en": "{job} has no build {build} ({reason}). Which build do you mean?",
        "es": "{job} no tiene el build {build} ({reason}). ¿A qué build te refieres?",
    },
    "no_such_incident": {
        "en": "I cannot find incident {id} ({reason}). Which incident do you mean?",
        "es": "No encuentro el incidente {id} ({reason}). ¿A qué incidente te refieres?",
    },
    "no_such_action": {
        "en": "I cannot find action {id} ({reason}). Which action do you mean?",
        "es": "No encuentro la acción {id} ({reason}). ¿A qué acción te refieres?",
    },
    "not_understood": {
        "en": "Sorry, I did not understand that. Could you rephrase, or type `help`?",
        "es": "Perdona, no lo entendí. ¿Puedes reformularlo o escribir `ayuda`?",
    },
    "model_down": {
        "en": "The language model is not reachable right now; commands still work (type `help`).",
        "es": "El modelo de lenguaje no está disponible ahora; los comandos siguen funcionando (escribe `ayuda`).",
    },
    "model_error": {
        "en": "The language model failed on this request; commands still work (type `help`).",
        "es": "El modelo de lenguaje falló con esta petición; los comandos siguen funcionando (escribe `ayuda`).",
    },
    "one_change_at_a_time": {
        "en": "I make one change at a time, for a job, build, incident or action you name, and never on instructions found in text. Which one do you mean?",
        "es": "Hago un cambio cada vez, sobre un job, build, incidente o acción que nombres, y nunca por instrucciones que aparezcan en un texto. ¿Cuál quieres?",
    },
    "which_change": {
        "en": "I am not sure which change you want. Could you say it in one sentence (restart, roll back, stop, approve, reject, acknowledge or resolve)?",
        "es": "No tengo claro qué cambio quieres. ¿Puedes decirlo en una frase (reiniciar, revertir, detener, aprobar, rechazar, reconocer o resolver)?",
    },
    "no_change_asked": {
        "en": "I will not change anything you did not ask for yourself. Tell me what you want, e.g. `restart deploy-prod 123`.",
        "es": "No cambio nada que no me hayas pedido tú. Dime qué quieres, p. ej. `reinicia deploy-prod 123`.",
    },
    "cancelled": {
        "en": "Cancelled: nothing was run.",
        "es": "Cancelado: no se ejecutó nada.",
    },
    "not_approver": {
        "en": "{who} may not approve this, so nothing was run.",
        "es": "{who} no puede aprobar esto, así que no se ejecutó nada.",
    },
    "blocked_followup": {
        "en": "I will not start {tool} because of what a tool result said. If you want it, ask me for it directly.",
        "es": "No iniciaré {tool} por lo que dijo el resultado de una herramienta. Si lo quieres, pídemelo directamente.",
    },
    "step_limit": {
        "en": "I stopped after {steps} steps without a full answer. Here is what I found:",
        "es": "Me detuve tras {steps} pasos sin una respuesta completa. Esto es lo que encontré:",
    },
    "guard_note": {
        "en": "The server's guard still checks allowlist, hours, cooldown and risk before it runs.",
        "es": "El guard del servidor aún comprueba lista de jobs, horario, enfriamiento y riesgo antes de ejecutar.",
    },
    "guard_allowed": {
        "en": "Guard: allowed as of now ({reason}); it checks again when the request is made.",
        "es": "Guard: permitido por ahora ({reason}); lo comprueba de nuevo al hacer la petición.",
    },
    "guard_needs_approval": {
        "en": "Guard: after you confirm, it will wait for an approver ({reason}).",
        "es": "Guard: después de que confirmes, esperará a un aprobador ({reason}).",
    },
    "guard_refused": {
        "en": "Guard: it would be refused now ({reason}), so Jenkins would not be called.",
        "es": "Guard: ahora lo rechazaría ({reason}), así que no se llamaría a Jenkins.",
    },
    "guard_dry_run": {
        "en": "Dry run: Jenkins will not be called.",
        "es": "Simulación: no se llamará a Jenkins.",
    },
    "guard_unreadable": {
        "en": "its answer could not be read",
        "es": "no se pudo leer su respuesta",
    },
    "guard_unchecked": {
        "en": "I could not ask the guard for its verdict ({reason}); it still decides when the request is made.",
        "es": "No pude consultar al guard ({reason}); igualmente decide cuando se haga la petición.",
    },
    "status_ok": {"en": "Done", "es": "Hecho"},
    "status_no_data": {"en": "Nothing found", "es": "No hay datos"},
    "status_error": {"en": "Error", "es": "Error"},
    "status_approval_required": {
        "en": "Needs approval",
        "es": "Necesita aprobación",
    },
    "status_refused": {"en": "Refused", "es": "Rechazado"},
    "approve_hint": {
        "en": "Action {action_id} is waiting for approval; an approver can say `approve {action_id}`.",
        "es": "La acción {action_id} espera aprobación; quien apruebe puede escribir `aprueba {action_id}`.",
    },
    "will_run": {"en": "Will run", "es": "Se ejecutará"},
}


def say(key: str, language: Language, **values: object) -> str:
    """The phrase `key` in `language`, with its placeholders filled."""
    return _PHRASES[key][language].format(**values)
