"""Turn an effect's Message into an OutMessage in its reader's language, timezone and address."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.effects import Message, Params, PromptList, UserText
from bot.core.model import (
    AddressForm,
    BoardItem,
    Intervention,
    Locale,
    Quote,
    RoundState,
    Synthesis,
    UserId,
)
from bot.core.ports import AnswerForm, FormField, OutButton, OutMessage, Segment, VisibilityOption
from bot.flows.spec import Flow, RoundSpec
from bot.flows.synthesis import option_values, prompt_keys, prompt_of
from bot.i18n.catalog import ROLE_KEY, Catalog
from bot.i18n.names import facilitator_names

MAX_ACTION_ID = 100


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads a message: language, timezone and form of address."""

    locale: Locale
    timezone: str
    address: AddressForm


def reader_for(state: Intervention, user: UserId | None, platform: Locale | None = None) -> Reader:
    """A person reads in their own language: the one they chose (`/tst lang`), else what their
    platform says of them (`platform` when just told, else what was kept from their last
    interaction), else the intervention's. A channel reads in the intervention's."""
    member = state.participants.get(user) if user is not None else None
    kept = member.platform_locale if member is not None else None
    own = member.locale if member is not None else None
    locale = own or platform or kept or state.locale
    tz = member.timezone if member is not None and member.timezone else state.timezone
    return Reader(locale, tz, state.address_form)


def knows_language(state: Intervention, user: UserId) -> bool:
    """Whether the person's language is known (chosen, or reported by their platform)."""
    member = state.participants.get(user)
    return member is not None and (member.locale or member.platform_locale) is not None


def action_id(intervention: str, action: str, value: str = "") -> str:
    """Routing state lives in the id itself, so buttons keep working after a restart."""
    built = f"tst:{intervention}:{action}:{value}"
    if len(built) > MAX_ACTION_ID:
        raise ValueError(f"action id too long: {built}")
    return built


def parse_action_id(raw: str) -> tuple[str, str, str] | None:
    parts = raw.split(":", 3)
    if len(parts) != 4 or parts[0] != "tst":
        return None
    return parts[1], parts[2], parts[3]


class Renderer:
    """Renders messages for one catalog and flow (built once by the composition root)."""

    def __init__(self, catalog: Catalog, flow: Flow, retention_days: int = 30) -> None:
        self.catalog = catalog
        self.flow = flow
        # The deployment's retention period (the configuration's default unless told), which
        # the frame states before anyone accepts it.
        self.retention_days = retention_days

    def text(self, reader: Reader, key: str, **params: str | int | float | UserText) -> str:
        return self.catalog.text(reader.locale, key, reader.address, reader.timezone, **params)

    def round_title(self, reader: Reader, round_key: str) -> str:
        """`trust.barometer@2` -> "Trust barometer, no. 2" in the reader's language."""
        return self.catalog.param_text(
            reader.locale, "round", round_key, reader.address, reader.timezone
        )

    def _render(self, reader: Reader, key: str, params: Params) -> tuple[Segment, ...]:
        return self.catalog.render(reader.locale, key, params, reader.address, reader.timezone)

    def _frame(self, state: Intervention, reader: Reader) -> Params:
        """What any text of an intervention may state about its frame, as it is when read."""
        named, count = facilitator_names(state, reader.locale, self.text(reader, ROLE_KEY))
        return {"k": state.k_anonymity_min, "anonymity": state.anonymity,
                "days": self.retention_days, "facilitator": named,
                "facilitator_count": count}  # fmt: skip

    def message(self, state: Intervention, msg: Message, reader: Reader) -> OutMessage:
        params = {
            **self._frame(state, reader),
            **{
                name: self._questions(state, reader, v) if isinstance(v, PromptList) else v
                for name, v in msg.params.items()
            },
        }
        segments = list(self._render(reader, msg.key, params))
        form = None
        if msg.form_round is not None:
            spec = self.flow.round(msg.form_round)
            rnd = state.rounds.get(msg.form_round)
            if spec is not None and rnd is not None:
                segments += self._prompt_summary(state, spec, rnd, reader)
                form = self.form(state, spec, rnd, reader)
        if msg.synthesis is not None:
            segments += self.synthesis(state, msg.synthesis, reader)
        if msg.board:
            segments += self.board(state, reader)
        buttons = tuple(
            OutButton(
                action_id(state.id, b.action, b.value),
                self.text(reader, b.label_key, value=b.value),
                b.style,
            )
            for b in msg.buttons
        )
        return OutMessage(tuple(segments), buttons, form)

    def _questions(self, state: Intervention, reader: Reader, prompts: PromptList) -> UserText:
        """Prompts named by their questions, one per line. Relayed (inert): a per-item
        question quotes the item a person wrote."""
        return UserText(
            "".join(
                f"\n• {self.prompt_label(state, reader, k, prompts.round)}" for k in prompts.keys
            )
        )

    def _prompt_summary(
        self, state: Intervention, spec: RoundSpec, rnd: RoundState, reader: Reader
    ) -> list[Segment]:
        frame = self._frame(state, reader)
        out = [Segment("\n\n"), *self._render(reader, f"round.{spec.key}.intro", frame)]
        if rnd.context:
            out += [
                Segment("\n\n"),
                *self._render(reader, "form.context", {"context": UserText(rnd.context)}),
            ]
        for field in self.form(state, spec, rnd, reader).fields:
            # Relayed: a question may be in a facilitator's words, or quote a person's item.
            out += [Segment("\n• "), Segment(field.label, relayed=True)]
        default = spec.default_visibility
        out += [
            Segment("\n\n"),
            Segment(self.text(reader, f"visibility.{default}.label") + " — "),
            *self._render(reader, f"visibility.{default}.explanation", frame),
        ]
        return out

    def item_text(self, state: Intervention, reader: Reader, item: int) -> str:
        found = next((b for b in state.board if b.id == item), None)
        if found is not None and found.status == "withdrawn":
            return self.text(reader, "board.withdrawn_text")
        if found is not None:
            return found.text or self.text(reader, "privacy.erased_text")
        contract = next((c for c in state.contract if c.version == item), None)
        return contract.text if contract is not None else f"#{item}"

    def prompt_label(
        self, state: Intervention, reader: Reader, key: str, round_key: str = ""
    ) -> str:
        """A prompt's question, in the words the round was opened with (the facilitators' own,
        bot/flows/wording.py, else the catalog's); a per-item prompt (`key#item`) also names
        the item it is about."""
        base, _, item = key.partition("#")
        rnd = state.rounds.get(round_key)
        own = rnd.words.text(base, reader.locale) if rnd is not None else None
        label = own if own is not None else self.text(reader, f"prompt.{base}")
        if not item:
            return label
        return self.text(
            reader,
            "form.item_prompt",
            prompt=label,
            item=int(item),
            text=UserText(self.item_text(state, reader, int(item))),
        )

    def form(
        self,
        state: Intervention,
        spec: RoundSpec,
        rnd: RoundState,
        reader: Reader,
        author: UserId | None = None,
    ) -> AnswerForm:
        """The answer form of a round: one field per prompt, the visibility choice explained,
        filled with `author`'s answers so far (answers can be edited until the round closes)."""
        fields: list[FormField] = []
        for key in prompt_keys(spec, rnd):
            prompt = prompt_of(spec, rnd, key)
            assert prompt is not None
            label = self.prompt_label(state, reader, key, rnd.key)
            values = option_values(prompt, rnd)
            if prompt.options_from is not None:
                options = tuple(
                    (v, f"#{v} {self.item_text(state, reader, int(v))}") for v in values
                )
            elif prompt.kind == "scale":
                options = tuple((v, v) for v in values)
            else:
                options = tuple((v, self.text(reader, f"option.{v}")) for v in values)
            hint = ""
            if prompt.kind == "scale":
                hint = self.text(reader, "form.scale_hint", low=prompt.minimum, high=prompt.maximum)
            elif prompt.kind == "dots":
                hint = self.text(reader, "form.dots_hint", budget=prompt.budget)
            elif prompt.kind == "rank":
                hint = self.text(reader, "form.rank_hint", budget=prompt.budget)
            fields.append(
                FormField(
                    key,
                    prompt.kind,
                    label,
                    options,
                    prompt.minimum,
                    prompt.maximum,
                    prompt.budget,
                    prompt.max_length,
                    hint,
                )
            )
        frame = self._frame(state, reader)
        visibility = tuple(
            VisibilityOption(
                v,
                self.text(reader, f"visibility.{v}.label"),
                "".join(x.text for x in self._render(reader, f"visibility.{v}.explanation", frame)),
            )
            for v in spec.allowed
        )
        mine = [
            r for r in state.responses.values() if r.round_key == rnd.key and r.author == author
        ]
        current = {r.prompt_key: r.value for r in mine if not r.skipped}
        if current:
            fields = [replace(f, current=current.get(f.prompt_key)) for f in fields]
        return AnswerForm(
            state.id,
            rnd.key,  # the run being answered (a weekly check-in's current one)
            self.text(reader, "form.title", round=rnd.key),
            tuple(fields),
            visibility,
            mine[0].visibility if mine else spec.default_visibility,
            self.text(reader, "form.submit"),
            self.text(reader, "confirm.empty_skips"),
            reader.locale,
            self.text(reader, "form.close"),
            self.text(reader, "form.visibility_label"),
            self.text(reader, "form.partial"),
        )

    def synthesis(self, state: Intervention, synthesis: Synthesis, reader: Reader) -> list[Segment]:
        spec = self.flow.round(synthesis.round_key)
        out: list[Segment] = [Segment("\n\n")]
        if synthesis.subgroup is not None:
            out += self._render(
                reader,
                "synthesis.heading_subgroup",
                {
                    "round": synthesis.round_key,
                    "group": synthesis.subgroup,
                    "answered": synthesis.answered,
                    "recipients": synthesis.recipients,
                },
            )
        else:
            out += self._render(
                reader,
                "synthesis.heading",
                {
                    "round": synthesis.round_key,
                    "answered": synthesis.answered,
                    "recipients": synthesis.recipients,
                },
            )
        notes = {"facilitator": "synthesis.facilitator_note", "draft": "curation.note"}
        if synthesis.audience in notes:
            about: Params = {"round": synthesis.round_key, "ref": UserText(synthesis.round_key)}
            out += [Segment("\n"), *self._render(reader, notes[synthesis.audience], about)]
        if synthesis.withdrawn:
            return [*out, Segment("\n"), *self._render(reader, "synthesis.withdrawn_note", {})]
        if not synthesis.prompts or spec is None:
            return [*out, Segment("\n"), *self._render(reader, "synthesis.no_answers", {})]
        rnd = state.rounds.get(synthesis.round_key)
        for summary in synthesis.prompts:
            label = self.prompt_label(state, reader, summary.prompt_key, synthesis.round_key)
            out += [Segment("\n\n"), Segment(label, relayed=True)]
            if summary.withheld:
                out += [
                    Segment("\n"),
                    *self._render(reader, "synthesis.withheld", {"k": state.k_anonymity_min}),
                ]
            for quote in summary.quotes:
                out += [Segment("\n"), *self._quote(reader, quote)]
            for value, count in summary.counts:
                out += [
                    Segment("\n"),
                    *self._render(
                        reader,
                        "synthesis.count_line",
                        {
                            "label": self.option_label(state, reader, summary.kind, value, rnd),
                            "count": count,
                        },
                    ),
                ]
            if summary.mean is not None:
                out += [
                    Segment("\n"),
                    *self._render(reader, "synthesis.mean", {"mean": summary.mean}),
                ]
            if summary.confidential_objections:
                params = {"count": summary.confidential_objections}
                out += [
                    Segment("\n"),
                    *self._render(reader, "synthesis.objections_confidential", params),
                ]
            if summary.skipped:
                out += [
                    Segment("\n"),
                    *self._render(reader, "synthesis.skipped", {"count": summary.skipped}),
                ]
        said = synthesis.curation
        if said.restatement:
            heard = {"name": UserText(said.restated_by), "text": UserText(said.restatement)}
            out += [Segment("\n\n"), *self._render(reader, "synthesis.restatement", heard)]
        return out

    def _quote(self, reader: Reader, quote: Quote) -> list[Segment]:
        """One item: its words (and name when attributed), with what the facilitators did."""
        out: list[Segment] = [Segment(f"[{quote.number}] ")] if quote.number else []
        key = "synthesis.quote_named" if quote.author_name else "synthesis.quote"
        params: Params = {"text": UserText(quote.text)}
        if quote.author_name:
            params = {**params, "name": UserText(quote.author_name)}
        out += self._render(reader, key, params)
        marks = [
            ("synthesis.merged_mark", {"count": quote.merged}, quote.merged > 1),
            ("synthesis.edited_mark", {}, quote.edited),
            ("curation.held_mark", {}, quote.held),
        ]
        for mark, values, shown in marks:
            if shown:
                out += [Segment(" "), *self._render(reader, mark, values)]
        return out

    def option_label(
        self, state: Intervention, reader: Reader, kind: str, value: str, rnd: RoundState | None
    ) -> str | UserText:
        if kind in ("dots", "rank") or (value.isdigit() and kind == "choice"):
            return UserText(f"#{value} {self.item_text(state, reader, int(value))}")
        if kind == "scale":
            return value
        return self.text(reader, f"option.{value}")

    def board(self, state: Intervention, reader: Reader) -> list[Segment]:
        out: list[Segment] = [
            Segment("\n\n"),
            *self._render(reader, "board.heading", {"title": UserText(state.title)}),
        ]
        for kind in ("information", "obstacle", "cause", "proposal"):
            items = [b for b in state.board if b.kind == kind]
            if not items:
                continue
            out += [Segment("\n\n"), *self._render(reader, f"board.section.{kind}", {})]
            for item in items:
                out += [Segment("\n"), *self.board_item(reader, item)]
        return out

    def board_item(self, reader: Reader, item: BoardItem) -> tuple[Segment, ...]:
        if item.status == "withdrawn":  # a facilitator took it down after a flag
            return self._render(reader, "board.item_withdrawn", {"id": item.id})
        if not item.text:  # its author erased their answers: the item keeps its place only
            item = replace(item, text=self.text(reader, "privacy.erased_text"))
        if item.kind == "proposal" and item.status != "open":
            return self._render(
                reader,
                "board.item_status",
                {
                    "id": item.id,
                    "text": UserText(item.text),
                    "status": self.text(reader, f"board.status.{item.status}"),
                },
            )
        if item.links:
            return self._render(
                reader,
                "board.item_linked",
                {"id": item.id, "text": UserText(item.text), "link": item.links[0]},
            )
        return self._render(reader, "board.item", {"id": item.id, "text": UserText(item.text)})
