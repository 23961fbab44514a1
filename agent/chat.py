"""`runbooks chat`: the agent in a terminal. Type a request, see the plan, approve y/n."""

from __future__ import annotations

import asyncio
import getpass
import re
import uuid
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agent.conversation import Conversations, Turn
from agent.llm import model_problem
from agent.runtime import default_stdio_target, open_agent
from agent.settings import AgentSettings

EXIT_WORDS = frozenset({"exit", "quit", "salir", ":q"})
YES = frozenset({"y", "yes", "s", "si", "sí", "approve", "aprobar"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")

Ask = Callable[[str], str]


def terminal_actor(name: str | None = None) -> str:
    """`terminal:<user>`, the identity the server records for this person."""
    user = _UNSAFE.sub("-", name or getpass.getuser()).strip("-") or "operator"
    return f"terminal:{user[:128]}"


def root_cause(error: BaseException) -> str:
    """The innermost error of a (task-group) exception, as one line."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return f"{type(error).__name__}: {error}".splitlines()[0]


def approval_panel(approval: Mapping[str, Any]) -> Panel:
    """Exactly what will run, and who decides, before anything runs."""
    table = Table.grid(padding=(0, 2))
    # Text, not markup: arguments and answers carry text from people and tools.
    table.add_row(Text("tool", style="bold"), Text(str(approval.get("tool"))))
    for key, value in dict(approval.get("args") or {}).items():
        table.add_row(Text(str(key), style="bold"), Text(repr(value)))
    table.add_row(Text("will run", style="bold"), Text(str(approval.get("will_run"))))
    guard = approval.get("guard")
    if isinstance(guard, Mapping):
        table.add_row(Text("guard", style="bold"), Text(str(guard.get("text") or "")))
        for step in guard.get("plan") or ():
            table.add_row(Text("jenkins", style="bold"), Text(str(step)))
    elif guard:
        table.add_row(Text("guard", style="bold"), Text(str(guard)))
    return Panel(table, title="Approval needed", border_style="yellow")


class ChatSession:
    """One person at a terminal, on one thread."""

    def __init__(
        self,
        conversations: Conversations,
        *,
        thread_id: str,
        actor: str,
        console: Console,
        ask: Ask,
    ) -> None:
        self._conversations = conversations
        self._thread = thread_id
        self._actor = actor
        self._console = console
        self._ask = ask

    async def _settle(self, turn: Turn) -> None:
        while turn.approval is not None:
            self._console.print(approval_panel(turn.approval))
            reply = self._ask("Run it? [y/n] ").strip().lower()
            turn = await self._conversations.decide(
                self._thread, approve=reply in YES, actor=self._actor
            )
        if turn.answer:
            self._console.print(Panel(Text(turn.answer), border_style="cyan"))

    async def resume_pending(self) -> None:
        """A resumed thread that waits for approval asks for it first."""
        pending = await self._conversations.pending(self._thread)
        if pending is not None:
            await self._settle(Turn(thread_id=self._thread, approval=pending))

    async def handle(self, message: str) -> None:
        """One message, through to its answer."""
        turn = await self._conversations.send(
            self._thread, message, actor=self._actor, channel="terminal"
        )
        await self._settle(turn)

    async def run(self) -> None:
        """Read messages until exit or end of input."""
        await self.resume_pending()
        while True:
            try:
                message = self._ask("you> ").strip()
            except (EOFError, KeyboardInterrupt):
                return
            if message.lower() in EXIT_WORDS:
                return
            if message:
                await self.handle(message)


async def chat(settings: AgentSettings, *, thread: str | None, actor: str | None) -> None:
    """Open the agent and talk to it on `thread` (a new one when None)."""
    console = Console()
    thread_id = thread or f"terminal-{uuid.uuid4().hex[:12]}"
    problem = await model_problem(settings)
    if problem:
        console.print(Text(f"{problem}; commands still work (type `help`).", style="yellow"))
    async with AsyncExitStack() as stack:
        try:
            # A child MCP server logs warnings only: the terminal belongs to the conversation.
            target = settings.mcp_url or default_stdio_target(settings, log_level="WARNING")
            conversations = await stack.enter_async_context(open_agent(settings, mcp_target=target))
        except Exception as error:  # one clear line instead of a traceback
            console.print(Text(f"runbooks chat: cannot start: {root_cause(error)}", style="red"))
            raise SystemExit(1) from None
        console.print(
            f"[dim]thread {thread_id} (resume with --thread {thread_id}); `exit` to leave[/]"
        )
        session = ChatSession(
            conversations,
            thread_id=thread_id,
            actor=terminal_actor(actor),
            console=console,
            ask=console.input,
        )
        await session.run()


def run_chat(settings: AgentSettings, *, thread: str | None, actor: str | None) -> None:
    """Blocking entry point for the CLI."""
    asyncio.run(chat(settings, thread=thread, actor=actor))
